"""Outcomes of appraisals, and reserving a mentor for a mentee without overbooking seniors."""

from __future__ import annotations

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from appraisal_engine.domain.employee import SENIORITY, PositionLevel
from appraisal_engine.domain.mentors import may_mentor
from appraisal_engine.domain.records import MentorRequest, MentorStatus, OutcomeRecord
from appraisal_engine.store.locks import hold_write_lock
from appraisal_engine.store.models import EmployeeRow, OutcomeRow
from appraisal_engine.store.repositories._rows import row_values, table_of, upsert

_outcomes = table_of(OutcomeRow)
_employees = table_of(EmployeeRow)
_BOOKED = (MentorStatus.OFFERED.value, MentorStatus.ACTIVE.value)


class OutcomeNotFoundError(LookupError):
    """No outcome is recorded for the appraisal."""


async def upsert_outcome(session: AsyncSession, outcome: OutcomeRecord) -> None:
    """Insert the outcome or overwrite all its fields (mentor fields included)."""
    await upsert(session, _outcomes, row_values(outcome))


async def get_outcome(session: AsyncSession, appraisal_id: str) -> OutcomeRecord | None:
    """The outcome of one appraisal."""
    query = select(_outcomes).where(_outcomes.c.appraisal_id == appraisal_id)
    row = (await session.execute(query)).first()
    return None if row is None else OutcomeRecord.model_validate(dict(row._mapping))


async def set_mentor(
    session: AsyncSession, appraisal_id: str, mentor_nip: str | None, mentor_status: MentorStatus
) -> None:
    """Record the mentor and where the offer stands (accepted, declined, withdrawn)."""
    result = await session.execute(
        update(_outcomes)
        .where(_outcomes.c.appraisal_id == appraisal_id)
        .values(mentor_nip=mentor_nip, mentor_status=mentor_status.value)
    )
    if result.rowcount == 0:  # type: ignore[attr-defined]
        raise OutcomeNotFoundError(appraisal_id)


async def reserve_mentor(session: AsyncSession, request: MentorRequest) -> str | None:
    """Offer the mentee a senior of the same roster unit with spare capacity, meeting the
    request's rules (years of service, level) where it has them; None if nobody fits.

    Idempotent: a standing offer to a mentor not excluded is returned unchanged."""
    # Serialise reservations per unit: two mentees must not both take a mentor's last place.
    await hold_write_lock(session, f"mentor:{request.roster_id}:{request.unit_code}", _outcomes)
    current = await get_outcome(session, request.appraisal_id)
    if current is None:
        raise OutcomeNotFoundError(request.appraisal_id)
    excluded = set(request.exclude)
    if current.mentor_status.value in _BOOKED and current.mentor_nip not in (None, *excluded):
        return current.mentor_nip
    mentor = await _pick_mentor(session, request, excluded)
    if mentor is not None:
        await set_mentor(session, request.appraisal_id, mentor, MentorStatus.OFFERED)
    elif current.mentor_status is MentorStatus.OFFERED:
        # The standing offer went to someone now excluded: release that mentor's place.
        await set_mentor(session, request.appraisal_id, None, MentorStatus.NONE)
    return mentor


async def _pick_mentor(
    session: AsyncSession, request: MentorRequest, excluded: set[str]
) -> str | None:
    floor = SENIORITY[request.employee_level]
    senior_levels = [level.value for level, rank in SENIORITY.items() if rank > floor]
    if not senior_levels or request.capacity <= 0:
        return None
    candidates = await session.execute(
        select(_employees.c.nip, _employees.c.position_level).where(
            _employees.c.roster_id == request.roster_id,
            _employees.c.unit_code == request.unit_code,
            _employees.c.position_level.in_(senior_levels),
            _employees.c.nip != request.employee_nip,
        )
    )
    rules, on = request.rules, request.on
    seniority: dict[str, int] = {
        nip: SENIORITY[PositionLevel(level)]
        for nip, level in candidates
        if nip not in excluded
        and (rules is None or on is None or may_mentor(nip, PositionLevel(level), rules, on))
    }
    if not seniority:
        return None
    loads = await session.execute(
        select(_outcomes.c.mentor_nip, func.count())
        .where(
            _outcomes.c.mentor_nip.in_(sorted(seniority)),
            _outcomes.c.mentor_status.in_(_BOOKED),
            # The mentee's own row does not count against anyone: it is being rewritten.
            _outcomes.c.appraisal_id != request.appraisal_id,
        )
        .group_by(_outcomes.c.mentor_nip)
    )
    load = {nip: count for nip, count in loads}
    free = [nip for nip in seniority if load.get(nip, 0) < request.capacity]
    if not free:
        return None
    # Spread mentees evenly, then prefer the most senior, then the lowest NIP: deterministic.
    return min(free, key=lambda nip: (load.get(nip, 0), -seniority[nip], nip))
