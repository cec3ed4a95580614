"""The grades calibration weighs: a unit's reviewed appraisals, read from the read model; and
each unit's grades counted, for HR's dashboard."""

from __future__ import annotations

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from appraisal_engine.domain.calibration import UnitGrade
from appraisal_engine.domain.ratings import Grade
from appraisal_engine.domain.records import AppraisalStatus
from appraisal_engine.store.models import AppraisalRow
from appraisal_engine.store.repositories._rows import table_of

_appraisals = table_of(AppraisalRow)


async def unit_grades_of(session: AsyncSession, cycle_id: str, unit_code: str) -> list[UnitGrade]:
    """A unit's appraisals that have a computed grade and are not cancelled, with any released
    grade, ordered by id: what calibration weighs against the curve."""
    t = _appraisals.c
    query = (
        select(t.id, t.grade_computed, t.grade_final)
        .where(
            t.cycle_id == cycle_id,
            t.unit_code == unit_code,
            t.grade_computed.is_not(None),
            t.status != AppraisalStatus.CANCELLED.value,
        )
        .order_by(t.id)
    )
    rows = await session.execute(query)
    return [
        UnitGrade(appraisal_id=r.id, grade_computed=r.grade_computed, grade_final=r.grade_final)
        for r in rows
    ]


async def grade_counts_of(session: AsyncSession, cycle_id: str) -> dict[str, dict[Grade, int]]:
    """Per unit, how many of the cycle's uncancelled appraisals hold each grade: the released
    grade where there is one, else the computed one; appraisals not yet graded are left out.

    Grouped by the stored columns in the covering index's order, so the database counts from
    the index alone without sorting; the released-else-computed choice is made here."""
    t = _appraisals.c
    query = (
        select(t.unit_code, t.grade_final, t.grade_computed, func.count().label("n"))
        .where(
            t.cycle_id == cycle_id,
            or_(t.grade_final.is_not(None), t.grade_computed.is_not(None)),
            t.status != AppraisalStatus.CANCELLED.value,
        )
        .group_by(t.unit_code, t.grade_final, t.grade_computed)
    )
    counts: dict[str, dict[Grade, int]] = {}
    for row in await session.execute(query):
        unit = counts.setdefault(row.unit_code, {})
        grade = Grade(row.grade_final or row.grade_computed)
        unit[grade] = unit.get(grade, 0) + int(row.n)
    return counts
