"""Anchoring the audit chain's head outside the database: deleting or replacing the newest rows
leaves a chain that verifies on its own, and only an anchor recorded earlier shows it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import ColumnElement, delete, update
from sqlalchemy.ext.asyncio import AsyncSession

from appraisal_engine.store.audit_chains import LEGACY_CHAIN
from appraisal_engine.store.audit_hash import GENESIS_HASH, row_hash
from appraisal_engine.store.models import AuditEventRow
from appraisal_engine.store.repositories.audit import (
    ChainHead,
    append_event,
    chain_head,
    list_events,
)
from appraisal_engine.store.repositories.audit_verify import Anchor, verify_chain
from tests.store.builders import event

T0 = datetime(2025, 3, 1, tzinfo=UTC)
CHAIN = "cycle-kota"  # the organisation of the builders' cycle, cycle-kota-2025
EMPTY_HEAD = ChainHead.empty(CHAIN)


def _at(chain_seq: int) -> ColumnElement[bool]:
    return (AuditEventRow.chain == CHAIN) & (AuditEventRow.chain_seq == chain_seq)


def _after(chain_seq: int) -> ColumnElement[bool]:
    return (AuditEventRow.chain == CHAIN) & (AuditEventRow.chain_seq > chain_seq)


@pytest.fixture
async def chain(session: AsyncSession) -> AsyncSession:
    """The test session with an empty audit table (the deletion is rolled back with the test)."""
    await session.execute(delete(AuditEventRow))
    return session


async def _append(session: AsyncSession, first: int, last: int) -> None:
    for i in range(first, last + 1):
        at = T0 + timedelta(minutes=i)
        await append_event(session, event(event_id=f"e-{i}", at=at, payload={"i": i}))


def _anchor(head: ChainHead) -> Anchor:
    return Anchor(chain=head.chain, seq=head.seq, hash=head.hash)


async def test_the_head_is_the_newest_row_or_genesis_when_empty(chain: AsyncSession) -> None:
    assert await chain_head(chain, CHAIN) == EMPTY_HEAD
    assert (EMPTY_HEAD.seq, EMPTY_HEAD.hash, EMPTY_HEAD.at) == (0, GENESIS_HASH, None)
    await _append(chain, 1, 3)
    newest = (await list_events(chain, limit=10))[-1]
    head = await chain_head(chain, CHAIN)
    assert head == ChainHead(chain=CHAIN, seq=3, hash=newest.hash, at=T0 + timedelta(minutes=3))
    assert head.anchor == f"{CHAIN}:3:{newest.hash}"
    assert head.at is not None and head.at.tzinfo is UTC
    # What verifying reaches is the same head: record it as the next anchor.
    assert (await verify_chain(chain, chain=CHAIN, batch_size=2)).head == head
    assert [v.head for v in (await verify_chain(chain, batch_size=2)).chains] == [head]


@pytest.mark.parametrize("deleted", [1, 3])
async def test_deleting_the_newest_rows_is_caught_only_by_an_anchor(
    chain: AsyncSession, deleted: int
) -> None:
    await _append(chain, 1, 6)
    anchor = _anchor(await chain_head(chain, CHAIN))
    await chain.execute(delete(AuditEventRow).where(_after(6 - deleted)))
    remaining = 6 - deleted

    # The gap: what remains is a consistent chain, and the chain alone says so.
    alone = await verify_chain(chain, chain=CHAIN, batch_size=2)
    assert alone.head is not None
    assert (alone.ok, alone.checked, alone.head.seq) == (True, remaining, remaining)

    # The anchor recorded before the deletion closes it.
    anchored = await verify_chain(chain, anchors=[anchor], batch_size=2)
    assert (anchored.ok, anchored.first_broken_seq) == (False, remaining + 1)
    assert anchored.first_broken_chain == CHAIN
    assert (anchored.checked, anchored.anchors_checked) == (remaining, 0)
    assert anchored.reason == (
        f"the chain ends at seq {remaining} but an anchor recorded seq 6:"
        f" rows after {remaining} were deleted"
    )


async def test_a_forged_newest_row_with_a_recomputed_hash_is_caught_by_the_anchor(
    chain: AsyncSession,
) -> None:
    await _append(chain, 1, 4)
    original = await chain_head(chain, CHAIN)
    row = (await list_events(chain, limit=10))[-1]
    digest = row_hash(row.model_dump() | {"payload": {"i": 99}})
    await chain.execute(update(AuditEventRow).where(_at(4)).values(payload={"i": 99}, hash=digest))

    # No row follows the forgery, so no link breaks: the chain alone verifies.
    assert (await verify_chain(chain)).ok
    result = await verify_chain(chain, anchors=[_anchor(original)])
    assert (result.ok, result.first_broken_seq, result.checked) == (False, 4, 3)
    assert result.reason == (
        f"the row at seq 4 has hash {digest} but an anchor recorded 4:{original.hash}:"
        " the row was replaced"
    )
    assert result.chains[0].head.seq == 3  # the newest row that passed every check


async def test_a_newest_row_deleted_and_appended_again_differently_is_caught(
    chain: AsyncSession,
) -> None:
    await _append(chain, 1, 3)
    anchor = _anchor(await chain_head(chain, CHAIN))
    # Through the ordinary writer: a valid row 3, but not the one anchored.
    await chain.execute(delete(AuditEventRow).where(_at(3)))
    await append_event(chain, event(event_id="e-3-forged", at=T0, payload={"i": 3}))
    assert (await verify_chain(chain)).ok
    result = await verify_chain(chain, anchors=[anchor])
    assert (result.ok, result.first_broken_seq) == (False, 3)
    assert result.reason is not None and f"anchor recorded 3:{anchor.hash}" in result.reason


async def test_earlier_anchors_keep_holding_as_the_chain_grows(chain: AsyncSession) -> None:
    await _append(chain, 1, 3)
    first = _anchor(await chain_head(chain, CHAIN))
    await _append(chain, 4, 7)
    second = _anchor(await chain_head(chain, CHAIN))
    await _append(chain, 8, 9)
    # In any order, repeated, across page boundaries.
    result = await verify_chain(chain, anchors=[second, first, second], batch_size=2)
    assert (result.ok, result.checked, result.anchors_checked) == (True, 9, 2)
    assert result.chains[0].head == await chain_head(chain, CHAIN)
    assert result.reason is None and result.first_broken_seq is None


async def test_a_break_before_an_anchor_is_reported_first(chain: AsyncSession) -> None:
    await _append(chain, 1, 5)
    anchor = _anchor(await chain_head(chain, CHAIN))
    await chain.execute(update(AuditEventRow).where(_at(2)).values(payload={"i": 99}))
    await chain.execute(delete(AuditEventRow).where(_at(5)))
    result = await verify_chain(chain, anchors=[anchor])
    assert (result.ok, result.first_broken_seq) == (False, 2)
    assert result.reason == "hash of seq 2 does not match its content"


async def test_an_empty_chain(chain: AsyncSession) -> None:
    result = await verify_chain(chain, chain=CHAIN)
    assert (result.ok, result.checked, result.head) == (True, 0, EMPTY_HEAD)
    assert (await verify_chain(chain)).chains == []  # no rows: no chain to verify
    # Every row deleted: an anchor still remembers there was one.
    gone = Anchor(chain=CHAIN, seq=1, hash="a" * 64)
    emptied = await verify_chain(chain, anchors=[gone])
    (verdict,) = emptied.chains
    assert (emptied.ok, emptied.first_broken_seq, verdict.head) == (False, 1, EMPTY_HEAD)
    assert emptied.reason == (
        "the chain ends at seq 0 but an anchor recorded seq 1: rows after 0 were deleted"
    )


def test_anchors_parse_from_chain_seq_and_hash() -> None:
    digest = "0123456789abcdef" * 4
    assert Anchor.parse(f"kota-binjai:42:{digest}") == Anchor(
        chain="kota-binjai", seq=42, hash=digest
    )
    assert Anchor.parse(f"_system:1:{digest}") == Anchor(chain="_system", seq=1, hash=digest)
    assert str(Anchor.parse(f"kota:42:{digest}")) == f"kota:42:{digest}"
    # The form from before per-organisation chains names the legacy chain.
    assert Anchor.parse(f"42:{digest}") == Anchor(chain=LEGACY_CHAIN, seq=42, hash=digest)
    for bad in (
        f"0:{digest}",  # seqs start at 1
        f"-1:{digest}",
        f"042:{digest}",
        f"+42:{digest}",
        f"42:{digest.upper()}",
        f"42:{digest[:-1]}",
        f"42:{digest}0",
        f"42{digest}",
        f"42:{digest}\n",
        f" 42:{digest}",
        f"{'9' * 20}:{digest}",
        "",
        f"kota:0:{digest}",
        f"Kota:42:{digest}",
        f":42:{digest}",
        f"kota binjai:42:{digest}",
        f"{'k' * 65}:42:{digest}",
        f"a:b:42:{digest}",
    ):
        with pytest.raises(ValueError, match="SEQ:HASH"):
            Anchor.parse(bad)
