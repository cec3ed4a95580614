"""Concurrent writers on real committed transactions: no forked chain, no overbooked mentor."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from appraisal_engine.domain.employee import PositionLevel
from appraisal_engine.domain.records import MentorRequest
from appraisal_engine.store.audit_writer import append_event_with_retry
from appraisal_engine.store.models import AuditEventRow, EmployeeRow, OutcomeRow, RosterRow
from appraisal_engine.store.repositories.audit import list_events, verify_chain
from appraisal_engine.store.repositories.outcomes import reserve_mentor, upsert_outcome
from appraisal_engine.store.repositories.rosters import add_roster
from tests.store.builders import employee, event, nip, outcome, uid

Factory = async_sessionmaker[AsyncSession]


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
    seqs = await asyncio.gather(*(append_event_with_retry(session_factory, e) for e in events))
    assert sorted(seqs) == list(range(last_seq + 1, last_seq + 21))
    async with session_factory() as session:
        assert (await verify_chain(session)).ok
        stored = await list_events(session, limit=20, offset=last_seq)
    assert {e.event_id: e.seq for e in stored} == {
        e.event_id: s for e, s in zip(events, seqs, strict=True)
    }


async def test_concurrent_appends_of_one_event_store_it_once(
    session_factory: Factory, last_seq: int
) -> None:
    same = event()
    seqs = await asyncio.gather(
        *(append_event_with_retry(session_factory, same) for _ in range(10))
    )
    assert set(seqs) == {last_seq + 1}
    async with session_factory() as session:
        count = await session.scalar(select(func.count()).where(AuditEventRow.seq > last_seq))
    assert count == 1


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
