"""Outcomes and mentor reservation: same unit, more senior, not excluded, with spare capacity."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from appraisal_engine.domain.employee import PositionLevel
from appraisal_engine.domain.outcome import AwardKind, OutcomeKind
from appraisal_engine.domain.ratings import Grade
from appraisal_engine.domain.records import MentorRequest, MentorStatus
from appraisal_engine.store.repositories.outcomes import (
    OutcomeNotFoundError,
    get_outcome,
    reserve_mentor,
    set_mentor,
    upsert_outcome,
)
from appraisal_engine.store.repositories.rosters import add_roster
from tests.store.builders import employee, nip, outcome, uid

L = PositionLevel
MENTEE = 10


async def test_an_outcome_round_trips_and_upsert_overwrites(session: AsyncSession) -> None:
    record = outcome(
        grade=Grade.SANGAT_BAIK,
        kind=OutcomeKind.AWARD,
        awards=[AwardKind.CERTIFICATE, AwardKind.ASN_TELADAN],
        talent_pool=True,
        credit_points_percent=150,
    )
    await upsert_outcome(session, record)
    await upsert_outcome(session, record)
    assert await get_outcome(session, record.appraisal_id) == record
    changed = record.model_copy(update={"awards": [], "kind": OutcomeKind.DEVELOPMENT})
    await upsert_outcome(session, changed)
    assert await get_outcome(session, record.appraisal_id) == changed
    assert await get_outcome(session, "no-such-appraisal") is None


async def test_set_mentor_records_the_offer_state(session: AsyncSession) -> None:
    record = outcome()
    await upsert_outcome(session, record)
    await set_mentor(session, record.appraisal_id, nip(5), MentorStatus.ACTIVE)
    stored = await get_outcome(session, record.appraisal_id)
    assert stored is not None
    assert (stored.mentor_nip, stored.mentor_status) == (nip(5), MentorStatus.ACTIVE)
    with pytest.raises(OutcomeNotFoundError):
        await set_mentor(session, "no-such-appraisal", nip(5), MentorStatus.DECLINED)


async def _unit(session: AsyncSession, *people: tuple[int, PositionLevel, str]) -> str:
    """A roster with the mentee (pelaksana in DISDIK) and the given people."""
    roster_id = uid("roster")
    staff = [employee(MENTEE, L.PELAKSANA)] + [employee(s, lvl, unit) for s, lvl, unit in people]
    await add_roster(session, roster_id, "kota", staff, "sum")
    return roster_id


async def _ask(session: AsyncSession, roster_id: str, **changes: Any) -> MentorRequest:
    """Store the mentee's outcome and build the request for it."""
    request = MentorRequest.model_validate(
        {
            "appraisal_id": uid("appraisal"),
            "roster_id": roster_id,
            "unit_code": "DISDIK",
            "employee_nip": nip(MENTEE),
            "employee_level": L.PELAKSANA,
            "capacity": 2,
        }
        | changes
    )
    await upsert_outcome(session, outcome(appraisal_id=request.appraisal_id))
    return request


async def _book(session: AsyncSession, mentor: int, status: MentorStatus, times: int = 1) -> None:
    for _ in range(times):
        await upsert_outcome(session, outcome(mentor_nip=nip(mentor), mentor_status=status))


async def test_only_seniors_of_the_same_unit_qualify(session: AsyncSession) -> None:
    roster_id = await _unit(
        session,
        (20, L.PELAKSANA, "DISDIK"),  # same level: not more senior
        (30, L.JPT, "DINKES"),  # more senior, other unit
        (40, L.FUNGSIONAL, "DISDIK"),  # one step up, same unit
    )
    request = await _ask(session, roster_id)
    assert await reserve_mentor(session, request) == nip(40)
    stored = await get_outcome(session, request.appraisal_id)
    assert stored is not None
    assert (stored.mentor_nip, stored.mentor_status) == (nip(40), MentorStatus.OFFERED)


async def test_nobody_qualifies_gives_none(session: AsyncSession) -> None:
    roster_id = await _unit(session, (20, L.PELAKSANA, "DISDIK"), (30, L.JPT, "DINKES"))
    request = await _ask(session, roster_id)
    assert await reserve_mentor(session, request) is None
    stored = await get_outcome(session, request.appraisal_id)
    assert stored is not None and stored.mentor_status is MentorStatus.NONE


async def test_seniority_is_strictly_above_the_mentee(session: AsyncSession) -> None:
    roster_id = await _unit(
        session, (20, L.PENGAWAS, "DISDIK"), (30, L.FUNGSIONAL, "DISDIK"), (40, L.JPT, "DISDIK")
    )
    mentee_is_pengawas = await _ask(session, roster_id, employee_level=L.PENGAWAS)
    assert await reserve_mentor(session, mentee_is_pengawas) == nip(40)
    top = await _ask(session, roster_id, employee_level=L.JPT)
    assert await reserve_mentor(session, top) is None


async def test_the_mentee_is_never_their_own_mentor(session: AsyncSession) -> None:
    roster_id = await _unit(session, (20, L.PENGAWAS, "DISDIK"))
    request = await _ask(session, roster_id, employee_nip=nip(20), employee_level=L.PELAKSANA)
    # The roster says nip(20) is a pengawas; the request's own NIP is excluded regardless.
    assert await reserve_mentor(session, request) is None


async def test_excluded_mentors_are_skipped(session: AsyncSession) -> None:
    roster_id = await _unit(session, (20, L.JPT, "DISDIK"), (30, L.PENGAWAS, "DISDIK"))
    request = await _ask(session, roster_id, exclude=[nip(20)])
    assert await reserve_mentor(session, request) == nip(30)
    everyone_excluded = await _ask(session, roster_id, exclude=[nip(20), nip(30)])
    assert await reserve_mentor(session, everyone_excluded) is None


async def test_capacity_counts_offered_and_active_mentees_only(session: AsyncSession) -> None:
    roster_id = await _unit(session, (20, L.JPT, "DISDIK"), (30, L.PENGAWAS, "DISDIK"))
    await _book(session, 20, MentorStatus.OFFERED)
    await _book(session, 20, MentorStatus.ACTIVE)
    await _book(session, 30, MentorStatus.DECLINED, times=3)
    request = await _ask(session, roster_id, capacity=2)
    # nip(20) is full (2 of 2); nip(30)'s declined offers do not count.
    assert await reserve_mentor(session, request) == nip(30)
    await _book(session, 30, MentorStatus.ACTIVE, times=2)
    full = await _ask(session, roster_id, capacity=2)
    assert await reserve_mentor(session, full) is None


async def test_preference_is_fewest_mentees_then_seniority_then_nip(session: AsyncSession) -> None:
    roster_id = await _unit(
        session,
        (20, L.JPT, "DISDIK"),
        (31, L.ADMINISTRATOR, "DISDIK"),
        (30, L.ADMINISTRATOR, "DISDIK"),
        (40, L.PENGAWAS, "DISDIK"),
    )
    await _book(session, 20, MentorStatus.ACTIVE)
    await _book(session, 40, MentorStatus.ACTIVE)
    picks = [
        await reserve_mentor(session, await _ask(session, roster_id, capacity=5)) for _ in range(6)
    ]
    # Loads start 20:1, 30:0, 31:0, 40:1. Ties on load go to the more senior, then lower NIP.
    assert picks == [nip(30), nip(31), nip(20), nip(30), nip(31), nip(40)]


async def test_reserving_again_returns_the_standing_offer(session: AsyncSession) -> None:
    roster_id = await _unit(session, (20, L.JPT, "DISDIK"), (30, L.PENGAWAS, "DISDIK"))
    request = await _ask(session, roster_id, capacity=1)
    assert await reserve_mentor(session, request) == nip(20)
    # Its own offer does not fill nip(20) against itself: the same mentor comes back.
    assert await reserve_mentor(session, request) == nip(20)
    stored = await get_outcome(session, request.appraisal_id)
    assert stored is not None and stored.mentor_status is MentorStatus.OFFERED


async def test_declined_mentor_is_replaced_and_released(session: AsyncSession) -> None:
    roster_id = await _unit(session, (20, L.JPT, "DISDIK"), (30, L.PENGAWAS, "DISDIK"))
    request = await _ask(session, roster_id, capacity=1)
    assert await reserve_mentor(session, request) == nip(20)
    retry = request.model_copy(update={"exclude": [nip(20)]})
    assert await reserve_mentor(session, retry) == nip(30)
    # nip(20)'s place is free again for the next mentee.
    other = await _ask(session, roster_id, capacity=1)
    assert await reserve_mentor(session, other) == nip(20)
    # With both excluded, the standing offer to nip(30) is withdrawn, freeing that place.
    last = request.model_copy(update={"exclude": [nip(20), nip(30)]})
    assert await reserve_mentor(session, last) is None
    stored = await get_outcome(session, request.appraisal_id)
    assert stored is not None
    assert (stored.mentor_nip, stored.mentor_status) == (None, MentorStatus.NONE)


async def test_reserving_needs_the_outcome_row(session: AsyncSession) -> None:
    roster_id = await _unit(session, (20, L.JPT, "DISDIK"))
    request = await _ask(session, roster_id)
    missing = request.model_copy(update={"appraisal_id": "no-such-appraisal"})
    with pytest.raises(OutcomeNotFoundError):
        await reserve_mentor(session, missing)
