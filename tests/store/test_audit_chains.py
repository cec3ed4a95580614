"""One audit hash chain per organisation: each has its own places, links and head; a break or a
deletion in one is reported with its chain while the others still verify; anchors name their
chain; the legacy global chain keeps verifying in its old format."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import ColumnElement, delete, insert, update
from sqlalchemy.ext.asyncio import AsyncSession

from appraisal_engine.store.audit_chains import LEGACY_CHAIN, SYSTEM_CHAIN, chain_of
from appraisal_engine.store.audit_hash import GENESIS_HASH, legacy_hash, row_hash
from appraisal_engine.store.models import AuditEventRow
from appraisal_engine.store.repositories.audit import (
    append_event,
    chain_head,
    chain_heads,
    list_events,
)
from appraisal_engine.store.repositories.audit_verify import Anchor, verify_chain
from tests.store.builders import event, nip

T0 = datetime(2025, 3, 1, tzinfo=UTC)
BINJAI, MEDAN = "kota-binjai", "kota-medan"


@pytest.fixture
async def chain(session: AsyncSession) -> AsyncSession:
    """The test session with an empty audit table (the deletion is rolled back with the test)."""
    await session.execute(delete(AuditEventRow))
    return session


async def _append(session: AsyncSession, org: str, n: int) -> None:
    for i in range(n):
        at = T0 + timedelta(minutes=i)
        record = event(at=at, cycle_id=f"{org}-2025", appraisal_id=f"appraisal-{org}-2025-{nip(i)}")
        await append_event(session, record)


async def _two_chains(session: AsyncSession) -> None:
    """Binjai's and Medan's events, interleaved: 4 of Binjai, 3 of Medan."""
    for org, n in ((BINJAI, 2), (MEDAN, 2), (BINJAI, 2), (MEDAN, 1)):
        await _append(session, org, n)


def _at(org: str, chain_seq: int) -> ColumnElement[bool]:
    return (AuditEventRow.chain == org) & (AuditEventRow.chain_seq == chain_seq)


def test_the_chain_is_the_organisation_of_the_cycle_or_else_of_the_appraisal() -> None:
    appraisal = f"appraisal-kota-binjai-2026-{nip(1)}"
    assert chain_of("kota-binjai-2026", None) == BINJAI
    assert chain_of("kota-binjai-2026", f"appraisal-kota-medan-2026-{nip(1)}") == BINJAI
    assert chain_of(None, appraisal) == BINJAI
    assert chain_of("sim-0a1b2c3d4e-2027", None) == "sim-0a1b2c3d4e"
    # Ids of no organisation, and no ids at all: the system's chain.
    for cycle_id, appraisal_id in (
        (None, None),
        ("c1", None),
        ("2026", None),
        ("Kota-2026", None),
        ("_legacy-2026", None),
        (None, "appraisal-burst-0a1b2c3d"),
        (None, "a-1"),
    ):
        assert chain_of(cycle_id, appraisal_id) == SYSTEM_CHAIN, (cycle_id, appraisal_id)


async def test_two_organisations_events_form_two_chains(chain: AsyncSession) -> None:
    await _two_chains(chain)
    rows = await list_events(chain, limit=100)
    assert [r.seq for r in rows] == sorted(r.seq for r in rows)  # the table's order
    for org, n in ((BINJAI, 4), (MEDAN, 3)):
        own = [r for r in rows if r.chain == org]
        assert [r.chain_seq for r in own] == list(range(1, n + 1))
        assert [r.prev_hash for r in own] == [GENESIS_HASH] + [r.hash for r in own[:-1]]
        assert all(row_hash(r.model_dump()) == r.hash for r in own)
    heads = await chain_heads(chain)
    assert [(h.chain, h.seq) for h in heads] == [(BINJAI, 4), (MEDAN, 3)]
    assert heads == [await chain_head(chain, BINJAI), await chain_head(chain, MEDAN)]
    result = await verify_chain(chain, batch_size=2)
    assert (result.ok, result.checked, [v.chain for v in result.chains]) == (
        True,
        7,
        [BINJAI, MEDAN],
    )
    assert [v.head for v in result.chains] == heads
    assert result.head is None  # several chains: each verdict has its own


async def test_a_tampered_row_is_reported_with_its_chain_and_the_other_still_verifies(
    chain: AsyncSession,
) -> None:
    await _two_chains(chain)
    await chain.execute(update(AuditEventRow).where(_at(MEDAN, 2)).values(payload={"x": 1}))
    result = await verify_chain(chain)
    assert (result.ok, result.first_broken_chain, result.first_broken_seq) == (False, MEDAN, 2)
    assert result.reason == "hash of seq 2 does not match its content"
    binjai, medan = result.chains
    assert (binjai.chain, binjai.ok, binjai.checked) == (BINJAI, True, 4)
    assert (medan.chain, medan.ok, medan.checked, medan.first_broken_seq) == (MEDAN, False, 1, 2)
    assert medan.head.seq == 1  # the newest row that passed every check
    assert (await verify_chain(chain, chain=BINJAI)).ok


async def test_a_row_moved_to_another_chain_breaks_both(chain: AsyncSession) -> None:
    await _two_chains(chain)
    # Medan's newest row relabelled as Binjai's fifth, linked to Binjai's head: the link holds,
    # but its hash covered its chain and place.
    binjai_head = await chain_head(chain, BINJAI)
    moved = {"chain": BINJAI, "chain_seq": 5, "prev_hash": binjai_head.hash}
    await chain.execute(update(AuditEventRow).where(_at(MEDAN, 3)).values(moved))
    result = await verify_chain(chain, anchors=[Anchor(chain=MEDAN, seq=3, hash="a" * 64)])
    binjai, medan = result.chains
    assert (binjai.ok, binjai.first_broken_seq, binjai.reason) == (
        False,
        5,
        "hash of seq 5 does not match its content",
    )
    assert (medan.ok, medan.first_broken_seq) == (False, 3)  # only its anchor shows it


async def test_an_anchor_of_one_chain(chain: AsyncSession) -> None:
    await _two_chains(chain)
    anchor = Anchor.parse((await chain_head(chain, BINJAI)).anchor)
    assert (anchor.chain, anchor.seq) == (BINJAI, 4)
    await _append(chain, BINJAI, 1)
    result = await verify_chain(chain, anchors=[anchor])
    assert (result.ok, result.anchors_checked) == (True, 1)
    assert [v.anchors_checked for v in result.chains] == [1, 0]
    one = await verify_chain(chain, chain=BINJAI, anchors=[anchor])
    assert (one.ok, one.checked, [v.chain for v in one.chains]) == (True, 5, [BINJAI])
    # The same place in the other chain holds another row.
    other = Anchor(chain=MEDAN, seq=3, hash=anchor.hash)
    wrong = await verify_chain(chain, anchors=[anchor, other])
    assert (wrong.ok, wrong.first_broken_chain, wrong.first_broken_seq) == (False, MEDAN, 3)
    assert wrong.chains[0].ok
    # Verifying one chain against another's anchor verifies that chain too: no anchor is left
    # unchecked.
    both = await verify_chain(chain, chain=BINJAI, anchors=[other])
    assert [(v.chain, v.ok) for v in both.chains] == [(BINJAI, True), (MEDAN, False)]
    assert both.head == one.head


async def test_a_deleted_tail_of_one_chain_is_caught_by_its_anchor(chain: AsyncSession) -> None:
    await _two_chains(chain)
    anchors = [Anchor.parse(head.anchor) for head in await chain_heads(chain)]
    await chain.execute(
        delete(AuditEventRow).where((AuditEventRow.chain == BINJAI) & (AuditEventRow.chain_seq > 2))
    )
    assert (await verify_chain(chain)).ok  # what remains is consistent
    result = await verify_chain(chain, anchors=anchors)
    assert (result.ok, result.first_broken_chain, result.first_broken_seq) == (False, BINJAI, 3)
    assert result.reason == (
        "the chain ends at seq 2 but an anchor recorded seq 4: rows after 2 were deleted"
    )
    medan = result.chains[1]
    assert (medan.ok, medan.anchors_checked) == (True, 1)
    # A whole chain deleted: its anchor still names it.
    await chain.execute(delete(AuditEventRow).where(AuditEventRow.chain == MEDAN))
    gone = await verify_chain(chain, anchors=anchors[1:])
    assert [(v.chain, v.ok, v.first_broken_seq) for v in gone.chains] == [
        (BINJAI, True, None),
        (MEDAN, False, 1),
    ]


async def test_the_legacy_chain_verifies_in_its_old_format(chain: AsyncSession) -> None:
    # Rows of the old global chain, as migration 0011 keeps them: their seq is their place.
    prev = GENESIS_HASH
    for seq in (1, 2, 3):
        content: dict[str, Any] = {
            "event_id": f"old-{seq}",
            "at": T0,
            "actor_nip": nip(1),
            "kind": "grade.released",
            "appraisal_id": None,
            "cycle_id": f"{MEDAN}-2024",
            "payload": {"n": seq},
        }
        digest = legacy_hash(seq=seq, **content, prev_hash=prev)
        row = content | {"chain": LEGACY_CHAIN, "chain_seq": seq, "prev_hash": prev, "hash": digest}
        await chain.execute(insert(AuditEventRow).values(row))
        prev = digest
    old_anchor = Anchor.parse(f"3:{prev}")  # an anchor recorded before the migration
    await _append(chain, MEDAN, 2)  # new events join Medan's chain, not the legacy one
    result = await verify_chain(chain, anchors=[old_anchor])
    assert (result.ok, result.anchors_checked) == (True, 1)
    assert [(v.chain, v.checked) for v in result.chains] == [(LEGACY_CHAIN, 3), (MEDAN, 2)]
    await chain.execute(update(AuditEventRow).where(_at(LEGACY_CHAIN, 2)).values(payload={"n": 9}))
    broken = await verify_chain(chain, chain=LEGACY_CHAIN)
    assert (broken.ok, broken.first_broken_chain, broken.first_broken_seq) == (
        False,
        LEGACY_CHAIN,
        2,
    )
