"""One audit hash chain: idempotent appends, the pinned hash format, tamper detection, queries
(every event here is of one organisation, so joins one chain; several are in test_audit_chains)."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from appraisal_engine.domain.records import AuditFilter
from appraisal_engine.store.audit_hash import GENESIS_HASH, row_hash
from appraisal_engine.store.models import AuditEventRow
from appraisal_engine.store.repositories.audit import (
    AuditEntry,
    ChainHead,
    append_event,
    chain_head,
    list_events,
)
from appraisal_engine.store.repositories.audit_verify import (
    ChainVerdict,
    VerifyResult,
    verify_chain,
)
from tests.store.builders import WIB, event, nip

CHAIN = "cycle-kota"  # the organisation of the builders' cycle, cycle-kota-2025
EMPTY_HEAD = ChainHead.empty(CHAIN)
AT_3 = (AuditEventRow.chain == CHAIN) & (AuditEventRow.chain_seq == 3)


@pytest.fixture
async def chain(session: AsyncSession) -> AsyncSession:
    """The test session with an empty audit table (the deletion is rolled back with the test)."""
    await session.execute(delete(AuditEventRow))
    return session


async def _rows(session: AsyncSession) -> list[AuditEntry]:
    return await list_events(session, limit=1000)


async def _append(session: AsyncSession, n: int) -> None:
    for i in range(n):
        await append_event(session, event(event_id=f"e-{i + 1}", payload={"i": i + 1}))


async def test_appends_link_each_row_to_the_one_before(chain: AsyncSession) -> None:
    seqs = [await append_event(chain, event()) for _ in range(3)]
    assert seqs == sorted(seqs) and len(set(seqs)) == 3
    rows = await _rows(chain)
    assert [r.seq for r in rows] == seqs
    assert [(r.chain, r.chain_seq) for r in rows] == [(CHAIN, 1), (CHAIN, 2), (CHAIN, 3)]
    assert [r.prev_hash for r in rows] == [GENESIS_HASH, rows[0].hash, rows[1].hash]
    for row in rows:
        assert row_hash(row.model_dump()) == row.hash


async def test_the_hash_is_sha256_of_the_canonical_json(chain: AsyncSession) -> None:
    at = datetime(2025, 3, 1, 16, 0, 0, 123456, tzinfo=WIB)  # 09:00 UTC
    record = event(
        event_id="e-1",
        at=at,
        actor_nip="197708172002031002",
        kind="grade.released",
        appraisal_id="a-1",
        cycle_id=None,
        payload={"komentar": "Disetujui — lanjutkan", "n": 1, "a": [True, None]},
    )
    await append_event(chain, record)
    # No cycle, and an appraisal id of no organisation: the system's chain.
    canonical = (
        '{"actor_nip":"197708172002031002","appraisal_id":"a-1",'
        '"at":"2025-03-01T09:00:00.123456Z","chain":"_system","chain_seq":1,"cycle_id":null,'
        '"event_id":"e-1","kind":"grade.released","payload":{"a":[true,null],'
        f'"komentar":"Disetujui — lanjutkan","n":1}},"prev_hash":"{GENESIS_HASH}"}}'
    )
    (row,) = await _rows(chain)
    assert row.hash == hashlib.sha256(canonical.encode("utf-8")).hexdigest()
    assert row.at == at and row.at.tzinfo is UTC


async def test_appending_the_same_event_again_writes_nothing(chain: AsyncSession) -> None:
    first = event(event_id="dup")
    seq = await append_event(chain, first)
    assert await append_event(chain, event()) > seq
    # A retry, even one carrying a different payload, returns the seq already stored.
    assert await append_event(chain, first) == seq
    assert await append_event(chain, event(event_id="dup", payload={"x": 1})) == seq
    assert await chain.scalar(select(func.count()).select_from(AuditEventRow)) == 2


async def test_payload_values_are_stored_in_their_json_form(chain: AsyncSession) -> None:
    at = datetime(2025, 3, 1, tzinfo=UTC)
    await append_event(chain, event(payload={"when": at, "grade": "baik"}))
    (row,) = await _rows(chain)
    assert row.payload == {"when": "2025-03-01T00:00:00Z", "grade": "baik"}
    assert (await verify_chain(chain)).ok


async def test_an_intact_chain_verifies_across_batches(chain: AsyncSession) -> None:
    assert await verify_chain(chain) == _ok(0, EMPTY_HEAD)
    await _append(chain, 7)
    head = await chain_head(chain, CHAIN)
    assert head.seq == 7
    assert await verify_chain(chain, batch_size=3) == _ok(7, head)
    assert await verify_chain(chain) == _ok(7, head)
    # Asked for the one chain, the result names its head too.
    one = await verify_chain(chain, chain=CHAIN, batch_size=3)
    assert one == _ok(7, head).model_copy(update={"head": head})


def _ok(checked: int, head: ChainHead) -> VerifyResult:
    verdict = ChainVerdict(chain=CHAIN, ok=True, checked=checked, anchors_checked=0, head=head)
    return VerifyResult(
        ok=True, checked=checked, anchors_checked=0, chains=[verdict] if checked else []
    )


async def test_altered_payload_is_found_at_its_seq(chain: AsyncSession) -> None:
    await _append(chain, 5)
    await chain.execute(update(AuditEventRow).where(AT_3).values(payload={"i": 99}))
    result = await verify_chain(chain, batch_size=2)
    assert (result.ok, result.first_broken_seq, result.checked) == (False, 3, 2)
    assert result.first_broken_chain == CHAIN
    assert result.reason is not None and "hash of seq 3" in result.reason


async def test_swapped_rows_are_found_at_the_first_of_them(chain: AsyncSession) -> None:
    await _append(chain, 5)
    # Rows 2 and 3 trade places in the chain (moved through -1 to dodge the key).
    for old, new in ((2, -1), (3, 2), (-1, 3)):
        at_old = (AuditEventRow.chain == CHAIN) & (AuditEventRow.chain_seq == old)
        await chain.execute(update(AuditEventRow).where(at_old).values(chain_seq=new))
    result = await verify_chain(chain)
    assert (result.ok, result.first_broken_seq) == (False, 2)
    assert result.reason is not None and "prev_hash of seq 2" in result.reason


async def test_a_deleted_row_is_found_at_its_seq(chain: AsyncSession) -> None:
    await _append(chain, 5)
    await chain.execute(delete(AuditEventRow).where(AT_3))
    result = await verify_chain(chain, batch_size=2)
    assert (result.ok, result.first_broken_seq, result.checked) == (False, 3, 2)
    assert result.reason is not None and "seq 3 is missing" in result.reason


async def test_a_rehashed_forgery_breaks_the_next_link(chain: AsyncSession) -> None:
    await _append(chain, 4)
    row = (await _rows(chain))[2]
    digest = row_hash(row.model_dump() | {"payload": {"i": 99}})
    await chain.execute(update(AuditEventRow).where(AT_3).values(payload={"i": 99}, hash=digest))
    result = await verify_chain(chain)
    assert (result.ok, result.first_broken_seq) == (False, 4)


async def test_a_chain_not_starting_at_one_is_broken(chain: AsyncSession) -> None:
    await _append(chain, 2)
    await chain.execute(delete(AuditEventRow).where(AuditEventRow.chain_seq == 1))
    result = await verify_chain(chain)
    assert (result.ok, result.first_broken_seq) == (False, 1)


async def test_list_events_filters_and_pages(chain: AsyncSession) -> None:
    t = datetime(2025, 3, 1, tzinfo=UTC)
    events = [
        event(event_id="a", at=t, actor_nip=nip(1), kind="k1", appraisal_id="ap1", cycle_id="c1"),
        event(event_id="b", at=t + timedelta(hours=1), actor_nip=nip(2), kind="k2",
              appraisal_id="ap1", cycle_id="c1"),
        event(event_id="c", at=t + timedelta(hours=2), actor_nip=nip(1), kind="k1",
              appraisal_id="ap2", cycle_id="c2"),
        event(event_id="d", at=t + timedelta(hours=3), actor_nip=None, kind="k2",
              appraisal_id=None, cycle_id="c2"),
    ]  # fmt: skip
    for record in events:
        await append_event(chain, record)

    async def ids(limit: int = 100, offset: int = 0, **where: Any) -> list[str]:
        found = await list_events(chain, where=AuditFilter(**where), limit=limit, offset=offset)
        return [e.event_id for e in found]

    assert await ids() == ["a", "b", "c", "d"]
    assert await ids(actor_nip=nip(1)) == ["a", "c"]
    assert await ids(appraisal_id="ap1") == ["a", "b"]
    assert await ids(cycle_id="c2") == ["c", "d"]
    assert await ids(kind="k2") == ["b", "d"]
    assert await ids(kind="k1", cycle_id="c2") == ["c"]
    assert await ids(kind=" k1") == []  # matched as given, not trimmed
    # since is inclusive, until exclusive; an offset-aware bound in WIB means the same instant.
    assert await ids(since=t + timedelta(hours=1), until=t + timedelta(hours=3)) == ["b", "c"]
    assert await ids(since=(t + timedelta(hours=2)).astimezone(WIB)) == ["c", "d"]
    assert await ids(limit=2, offset=1) == ["b", "c"]
    first = (await list_events(chain, limit=1))[0]
    assert (first.chain_seq, first.prev_hash, first.event_id) == (1, GENESIS_HASH, "a")


async def test_naive_event_times_are_refused(chain: AsyncSession) -> None:
    with pytest.raises(ValueError, match="naive"):
        await append_event(chain, event(at=datetime(2025, 3, 1)))
