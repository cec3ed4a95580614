"""Development plans, read and written whole: an appraisal's plan, and a cycle's plans."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from appraisal_engine.domain.development import DevelopmentPlan
from appraisal_engine.store.models import DevelopmentPlanRow
from appraisal_engine.store.repositories._rows import table_of, upsert

_plans = table_of(DevelopmentPlanRow)


def _values(plan: DevelopmentPlan) -> dict[str, Any]:
    values = plan.model_dump(mode="json")
    values.update(planned_at=plan.planned_at, updated_at=plan.updated_at)
    values["follow_up_on"] = plan.follow_up_on
    return values


async def save_plan(session: AsyncSession, plan: DevelopmentPlan) -> None:
    """Store the plan, replacing the appraisal's earlier one."""
    await upsert(session, _plans, _values(plan))


async def get_plan(session: AsyncSession, appraisal_id: str) -> DevelopmentPlan | None:
    """The appraisal's plan, if one was made."""
    row = (
        await session.execute(select(_plans).where(_plans.c.appraisal_id == appraisal_id))
    ).first()
    return None if row is None else DevelopmentPlan.model_validate(dict(row._mapping))


async def list_plans(
    session: AsyncSession, cycle_id: str, *, limit: int = 50, offset: int = 0
) -> list[DevelopmentPlan]:
    """A cycle's plans by appraisal id, a page at a time."""
    query = (
        select(_plans)
        .where(_plans.c.cycle_id == cycle_id)
        .order_by(_plans.c.appraisal_id)
        .limit(limit)
        .offset(offset)
    )
    rows = await session.execute(query)
    return [DevelopmentPlan.model_validate(dict(r._mapping)) for r in rows]


async def plans_for(session: AsyncSession, appraisal_ids: list[str]) -> dict[str, DevelopmentPlan]:
    """The plans of those appraisals that have one, by appraisal id."""
    if not appraisal_ids:
        return {}
    query = select(_plans).where(_plans.c.appraisal_id.in_(appraisal_ids))
    plans = [DevelopmentPlan.model_validate(dict(r._mapping)) for r in await session.execute(query)]
    return {p.appraisal_id: p for p in plans}
