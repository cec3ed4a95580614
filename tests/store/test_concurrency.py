"""Concurrent writers on real committed transactions: no forked chain, no overbooked mentor."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import delete, func, select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from appraisal_engine.domain.employee import PositionLevel
from appraisal_engine.domain.records import MentorRequest
from appraisal_engine.store.audit_writer import append_event_with_retry
from appraisal_engine.store.locks import lock_key
from appraisal_engine.store.models import AuditEventRow, EmployeeRow, OutcomeRow, RosterRow
from appraisal_engine.store.repositories.audit import append_event, chain_head
from appraisal_engine.store.repositories.audit_verify import verify_chain
from appraisal_engine.store.repositories.outcomes import reserve_mentor, upsert_outcome
from appraisal_engine.store.repositories.rosters import add_roster
from tests.store.builders import employee, event, nip, outcome, uid

Factory = async_sessionmaker[AsyncSession]
CHAIN = "cycle-kota"  # the organisation of the builders' cycle, cycle-kota-2025


@pytest.fixture
async def last_seq(session_factory: Factory) -> AsyncIterator[int]:
    """The chain's last seq before the test; rows the test appends are deleted after it."""
    async with session_factory() as session:
        before = await session.scalar(select(func.coalesce(func.max(AuditEventRow.seq), 0)))
    assert before is not None
    yield before
    async with session_factory() as session, session.begin():
        # Dropping the tail leaves a valid (shorter) chain for whoever runs next.
        await session.execute(delete(AuditEventRow).where(AuditEventRow.seq > before))


async def test_concurrent_appends_make_one_intact_chain(
    session_factory: Factory, last_seq: int
) -> None:
    events = [event(payload={"n": i}) for i in range(20)]
    async with session_factory() as session:
        before = await chain_head(session, CHAIN)
    seqs = await asyncio.gather(*(append_event_with_retry(session_factory, e) for e in events))
    assert len(set(seqs)) == 20 and min(seqs) > last_seq
    async with session_factory() as session:
        assert (await verify_chain(session, chain=CHAIN)).ok
        query = select(AuditEventRow).where(AuditEventRow.seq > last_seq)
        stored = (await session.scalars(query.order_by(AuditEventRow.seq))).all()
    assert {e.event_id: e.seq for e in stored} == {
        e.event_id: s for e, s in zip(events, seqs, strict=True)
    }
    # One after another in the chain, each once, in the order the table numbered them.
    assert [(e.chain, e.chain_seq) for e in stored] == [
        (CHAIN, before.seq + i) for i in range(1, 21)
    ]


async def test_concurrent_appends_of_one_event_store_it_once(
    session_factory: Factory, last_seq: int
) -> None:
    same = event()
    seqs = await asyncio.gather(
        *(append_event_with_retry(session_factory, same) for _ in range(10))
    )
    assert len(set(seqs)) == 1 and seqs[0] > last_seq
    async with session_factory() as session:
        count = await session.scalar(select(func.count()).where(AuditEventRow.seq > last_seq))
    assert count == 1


async def test_appenders_of_two_organisations_do_not_wait_for_each_other(
    session_factory: Factory, last_seq: int
) -> None:
    async with session_factory() as probe:
        if probe.get_bind().dialect.name != "postgresql":
            pytest.skip("SQLite has one writer per database: every appender waits its turn")
    binjai = event(cycle_id="kota-binjai-2025")
    medan = event(cycle_id="kota-medan-2025")
    async with session_factory() as holder, holder.begin():
        # Binjai's appender holds its chain's lock until its transaction ends.
        await append_event(holder, binjai)
        async with session_factory() as other, other.begin():
            # Waiting for Binjai's lock would fail here rather than hang the test.
            await other.execute(text("SET LOCAL lock_timeout = '10s'"))
            seq = await append_event(other, medan)
        async with session_factory() as third, third.begin():
            # Binjai's chain itself is still held: a third appender there would wait.
            key = {"key": lock_key("audit:kota-binjai")}
            taken = await third.scalar(text("SELECT pg_try_advisory_xact_lock(:key)"), key)
            assert taken is False
        await holder.rollback()
    async with session_factory() as session:
        stored = await session.get(AuditEventRow, seq)
        assert stored is not None and (stored.chain, stored.event_id) == (
            "kota-medan",
            medan.event_id,
        )


async def test_concurrent_reservations_respect_capacity(session_factory: Factory) -> None:
    roster_id = uid("roster")
    seniors = [employee(s, PositionLevel.ADMINISTRATOR) for s in (201, 202, 203)]
    mentees = [employee(s, PositionLevel.PELAKSANA) for s in range(301, 307)]
    requests = [
        MentorRequest(
            appraisal_id=uid("appraisal"),
            roster_id=roster_id,
            unit_code="DISDIK",
            employee_nip=m.nip,
            employee_level=m.position_level,
            capacity=2,
        )
        for m in mentees
    ]
    async with session_factory() as session, session.begin():
        await add_roster(session, roster_id, "kota", seniors + mentees, "sum")
        for r in requests:
            await upsert_outcome(
                session, outcome(appraisal_id=r.appraisal_id, employee_nip=r.employee_nip)
            )

    async def reserve(request: MentorRequest) -> str | None:
        async with session_factory() as session, session.begin():
            return await reserve_mentor(session, request)

    try:
        picks = await asyncio.gather(*(reserve(r) for r in requests))
        assert Counter(picks) == {nip(201): 2, nip(202): 2, nip(203): 2}
    finally:
        async with session_factory() as session, session.begin():
            ids = [r.appraisal_id for r in requests]
            await session.execute(delete(OutcomeRow).where(OutcomeRow.appraisal_id.in_(ids)))
            await session.execute(delete(EmployeeRow).where(EmployeeRow.roster_id == roster_id))
            await session.execute(delete(RosterRow).where(RosterRow.id == roster_id))
