"""What the appraisal's page shows of the development plan, and whether its reader may plan."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio.client import Client

from appraisal_engine.api.auth import Principal
from appraisal_engine.services import development
from appraisal_engine.services.appraisal_policy import policy_of
from appraisal_engine.services.errors import NotFound
from appraisal_engine.web.i18n import N_
from appraisal_engine.workflows.messages import AppraisalState

PLAN_ROWS = 3
"""Item rows the plan form offers."""
SKILLS: dict[str, str] = {"technical": N_("Technical skill"), "soft": N_("Soft skill")}
"""The skill kinds as the form and the plan name them."""


async def plan_context(
    session: AsyncSession,
    sessions: async_sessionmaker[AsyncSession],
    me: Principal,
    state: AppraisalState,
    client: Client,
) -> dict[str, Any]:
    """The plan as the reader may see it (None: none yet, or not theirs), and whether they may
    make or replace it: the supervisor, once the outcome calls for one, before a follow-up."""
    try:
        plan = await development.read_plan(
            session, me, state.appraisal_id, now=datetime.now(UTC), sessions=sessions
        )
    except NotFound:
        plan = None
    followed = plan is not None and any(i.follow_up for i in plan.plan.items)
    may_plan = False
    if me.nip == state.supervisor_nip and state.outcome is not None and not followed:
        policy = await policy_of(client, state.appraisal_id)
        may_plan = state.outcome.kind in policy.development.plan_outcomes
    items = plan.plan.items if plan else []
    # Replacing a plan starts from it: its items in the rows, and a blank row to add one.
    typed = {
        f"items[{n}].{name}": value
        for n, item in enumerate(items)
        for name, value in (
            ("kind", item.kind.value),
            ("course", item.course),
            ("due_on", item.due_on.isoformat()),
        )
    }
    if plan and plan.plan.follow_up_on:
        typed["follow_up_on"] = plan.plan.follow_up_on.isoformat()
    return {
        "plan": plan,
        "may_plan": may_plan,
        "may_follow_up": me.nip == state.supervisor_nip,
        "plan_rows": range(max(PLAN_ROWS, len(items) + 1)),
        "plan_values": typed,
        "skills": SKILLS,
    }
