"""Approved plans, for the units' role-result matrices."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from appraisal_engine.domain.matrix import PlanRecord
from appraisal_engine.store.models import PlanRow
from appraisal_engine.store.repositories._rows import row_values, table_of, upsert

_plans = table_of(PlanRow)


async def upsert_plan(session: AsyncSession, plan: PlanRecord) -> None:
    """Insert the appraisal's approved plan, or overwrite it (a retry writes the same)."""
    await upsert(session, _plans, row_values(plan))


async def unit_plans(session: AsyncSession, cycle_id: str, unit_code: str) -> list[PlanRecord]:
    """The approved plans of one unit in a cycle, by employee."""
    query = (
        select(_plans)
        .where(_plans.c.cycle_id == cycle_id, _plans.c.unit_code == unit_code)
        .order_by(_plans.c.employee_nip)
    )
    rows = (await session.execute(query)).all()
    return [PlanRecord.model_validate(dict(r._mapping)) for r in rows]
