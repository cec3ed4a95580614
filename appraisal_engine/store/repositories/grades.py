"""The grades calibration weighs: a unit's reviewed appraisals, read from the read model."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from appraisal_engine.domain.calibration import UnitGrade
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
