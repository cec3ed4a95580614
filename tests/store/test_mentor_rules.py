"""Mentor reservation under a policy's rules: years of service read from the NIP on the day of
matching (a PNS's month, a PPPK's year alone), and a leadership level."""

from __future__ import annotations

from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from appraisal_engine.domain.employee import PositionLevel
from appraisal_engine.domain.mentors import MentorRules
from appraisal_engine.domain.records import MentorRequest
from appraisal_engine.store.repositories.outcomes import reserve_mentor, upsert_outcome
from appraisal_engine.store.repositories.rosters import add_roster
from tests.store.builders import employee, nip, outcome, uid

L = PositionLevel
MENTEE = nip(10)
SENIOR = "197001012004071001"  # appointed July 2004: ten years on 1 July 2014
JUNIOR = "196901012004081002"  # appointed August 2004, a lower NIP: picked first without rules
PPPK = "198001012021211003"  # an NI PPPK of 2021, at the head of the unit
FUNCTIONAL = "196801012000011004"  # long-serving, but no leadership post
TEN_YEARS = MentorRules(min_service_years=10, min_level=L.PENGAWAS)


async def _unit(session: AsyncSession, *people: tuple[str, PositionLevel]) -> str:
    roster_id = uid("roster")
    staff = [employee(10, L.PELAKSANA)] + [
        employee(n, level, nip=who) for n, (who, level) in enumerate(people, start=20)
    ]
    await add_roster(session, roster_id, "kota", staff, "sum")
    return roster_id


async def _reserve(
    session: AsyncSession, roster_id: str, on: date | None, rules: MentorRules | None = TEN_YEARS
) -> str | None:
    request = MentorRequest(
        appraisal_id=uid("appraisal"),
        roster_id=roster_id,
        unit_code="DISDIK",
        employee_nip=MENTEE,
        employee_level=L.PELAKSANA,
        capacity=2,
        rules=rules,
        on=on,
    )
    await upsert_outcome(session, outcome(appraisal_id=request.appraisal_id))
    return await reserve_mentor(session, request)


async def test_years_of_service_exactly_at_the_minimum_qualify(session: AsyncSession) -> None:
    roster_id = await _unit(session, (SENIOR, L.PENGAWAS), (JUNIOR, L.PENGAWAS))
    assert await _reserve(session, roster_id, date(2014, 6, 30)) is None
    assert await _reserve(session, roster_id, date(2014, 7, 1)) == SENIOR
    # A month on, the junior has ten years too, and no mentee yet: the offer goes there.
    assert await _reserve(session, roster_id, date(2014, 8, 1)) == JUNIOR


async def test_without_rules_the_lower_nip_is_picked_as_before(session: AsyncSession) -> None:
    roster_id = await _unit(session, (SENIOR, L.PENGAWAS), (JUNIOR, L.PENGAWAS))
    assert await _reserve(session, roster_id, None, rules=None) == JUNIOR


async def test_a_pppk_head_s_years_count_from_the_year_after_appointment(
    session: AsyncSession,
) -> None:
    five = MentorRules(min_service_years=5, min_level=L.PENGAWAS)
    roster_id = await _unit(session, (PPPK, L.JPT))
    assert await _reserve(session, roster_id, date(2026, 12, 31), five) is None
    assert await _reserve(session, roster_id, date(2027, 1, 1), five) == PPPK


async def test_a_functional_official_is_no_leader_however_long_served(
    session: AsyncSession,
) -> None:
    roster_id = await _unit(session, (FUNCTIONAL, L.FUNGSIONAL))
    assert await _reserve(session, roster_id, date(2026, 1, 1)) is None
    assert await _reserve(session, roster_id, date(2026, 1, 1), rules=None) == FUNCTIONAL
