"""Development plans: the supervisor plans what follows a development, mentorship or coaching
outcome and follows it up; the employee reads theirs, HR and auditors every plan of a cycle.
Anyone else is answered as if there were no such appraisal."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import date, datetime

from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from appraisal_engine.domain.audit_kinds import DEVELOPMENT_FOLLOWED_UP, DEVELOPMENT_PLANNED
from appraisal_engine.domain.calendar import local_date
from appraisal_engine.domain.development import (
    DevelopmentPlan,
    FollowUp,
    PlanItem,
    PlannedItem,
    check_plan,
)
from appraisal_engine.domain.errors import Wording
from appraisal_engine.domain.notices import Decision, decision_notice
from appraisal_engine.domain.policy import Policy
from appraisal_engine.domain.records import AppraisalRecord, AuditEvent
from appraisal_engine.services.access import Caller, log_auditor_read, require_reader
from appraisal_engine.services.errors import Conflict, Forbidden, Invalid, Issue, NotFound
from appraisal_engine.store.audit_writer import append_event_with_retry
from appraisal_engine.store.repositories.appraisals import get_appraisal
from appraisal_engine.store.repositories.development import get_plan, list_plans, save_plan
from appraisal_engine.store.repositories.notices import add_notices
from appraisal_engine.store.repositories.outcomes import get_outcome

PolicyOf = Callable[[AppraisalRecord], Awaitable[Policy]]
"""The policy an appraisal runs under (read from its workflow's input by the API)."""


class PlanView(BaseModel):
    """A plan, with what is overdue on the organisation's calendar today."""

    plan: DevelopmentPlan
    overdue_items: list[int]
    follow_up_overdue: bool


def view_of(plan: DevelopmentPlan, now: datetime) -> PlanView:
    """The plan as read at `now`."""
    today = local_date(now, plan.time_zone)
    overdue = [n for n, item in enumerate(plan.items) if item.overdue(today)]
    return PlanView(
        plan=plan, overdue_items=overdue, follow_up_overdue=plan.follow_up_overdue(today)
    )


async def _readable(session: AsyncSession, who: Caller, appraisal_id: str) -> AppraisalRecord:
    """The appraisal if the caller is its employee, its supervisor, HR or an auditor."""
    record = await get_appraisal(session, appraisal_id)
    if record is None or not (
        who.reads_all or who.nip in (record.employee_nip, record.supervisor_nip)
    ):
        raise NotFound("appraisal")
    return record


def _require_supervisor(who: Caller, record: AppraisalRecord) -> None:
    if who.nip != record.supervisor_nip:
        raise Forbidden("only the employee's supervisor plans and follows up development")


async def read_plan(
    session: AsyncSession,
    who: Caller,
    appraisal_id: str,
    *,
    now: datetime,
    sessions: async_sessionmaker[AsyncSession],
) -> PlanView:
    """The appraisal's plan for its employee, supervisor, HR and auditors (an auditor's read
    logged)."""
    await _readable(session, who, appraisal_id)
    plan = await get_plan(session, appraisal_id)
    if plan is None:
        raise NotFound("development plan")
    await log_auditor_read(sessions, who, "development-plan", appraisal_id=appraisal_id)
    return view_of(plan, now)


async def cycle_plans(
    session: AsyncSession,
    who: Caller,
    cycle_id: str,
    *,
    now: datetime,
    limit: int,
    offset: int,
    sessions: async_sessionmaker[AsyncSession],
) -> list[PlanView]:
    """Every plan of a cycle, for HR and auditors (an auditor's read logged)."""
    require_reader(who)
    plans = await list_plans(session, cycle_id, limit=limit, offset=offset)
    await log_auditor_read(sessions, who, "development-plans", cycle_id=cycle_id)
    return [view_of(p, now) for p in plans]


async def make_plan(
    session: AsyncSession,
    sessions: async_sessionmaker[AsyncSession],
    who: Caller,
    appraisal_id: str,
    *,
    items: list[PlanItem],
    follow_up_on: date | None,
    policy_of: PolicyOf,
    now: datetime,
) -> PlanView:
    """The supervisor plans the employee's development (or replaces a plan not yet followed
    up), as the policy's rules for plans allow; audited."""
    record = await _readable(session, who, appraisal_id)
    _require_supervisor(who, record)
    outcome = await get_outcome(session, appraisal_id)
    if outcome is None:
        raise Conflict("no follow-up is decided yet: a plan follows the final grade's outcome")
    policy = await policy_of(record)
    today = local_date(now, policy.time_zone)
    problems = check_plan(policy.development, outcome.kind, items, follow_up_on, today)
    if problems:
        issues = [Issue(field=p.field or "", message=p.reason, wording=p.wording) for p in problems]
        raise Invalid("; ".join(str(p) for p in problems), issues=issues)
    plan = DevelopmentPlan(
        appraisal_id=appraisal_id,
        cycle_id=record.cycle_id,
        employee_nip=record.employee_nip,
        outcome_kind=outcome.kind,
        planned_by=who.nip,
        planned_at=now,
        follow_up_on=follow_up_on,
        time_zone=policy.time_zone,
        items=[PlannedItem(**i.model_dump()) for i in items],
        updated_at=now,
    )

    payload: dict[str, object] = {
        "outcome_kind": outcome.kind.value,
        "follow_up_on": follow_up_on.isoformat() if follow_up_on else None,
        "items": [i.model_dump(mode="json") for i in items],
    }
    event = _event(DEVELOPMENT_PLANNED, who, record, now, payload)
    # The employee is told of each plan (a replacement too), with the plan and its audit row.
    told = decision_notice(
        Decision.DEVELOPMENT_PLANNED, event.event_id, appraisal_id, record.employee_nip, now
    )

    async def write(s: AsyncSession) -> None:
        before = await get_plan(s, appraisal_id)
        if before is not None and any(i.follow_up for i in before.items):
            raise Conflict("the plan is being followed up: it can no longer be replaced")
        await save_plan(s, plan)
        await add_notices(s, [told])

    await append_event_with_retry(sessions, event, also=write)
    return view_of(plan, now)


async def follow_up(
    session: AsyncSession,
    sessions: async_sessionmaker[AsyncSession],
    who: Caller,
    appraisal_id: str,
    *,
    item: int,
    done: bool,
    note: str,
    now: datetime,
) -> PlanView:
    """The supervisor says whether a planned item happened; said after its date, it is marked
    late. Once said, it stands; audited."""
    record = await _readable(session, who, appraisal_id)
    _require_supervisor(who, record)
    plan = await get_plan(session, appraisal_id)
    if plan is None:
        raise NotFound("development plan")
    if not 0 <= item < len(plan.items):
        wording = Wording("the plan has items 0 to %(last)s", {"last": len(plan.items) - 1})
        issue = Issue(field="item", message=str(wording), wording=wording)
        raise Invalid(str(wording), issues=[issue], wording=wording)
    planned = plan.items[item]
    today = local_date(now, plan.time_zone)
    said = FollowUp(done=done, note=note, at=now, by=who.nip, late=today > planned.due_on)
    updated: list[DevelopmentPlan] = []

    async def write(s: AsyncSession) -> None:
        current = await get_plan(s, appraisal_id)
        if current is None or current.planned_at != plan.planned_at:
            raise Conflict("the plan was replaced meanwhile: read it again")
        if current.items[item].follow_up is not None:
            already = Wording("item %(n)s is already followed up", {"n": item})
            raise Conflict(str(already), wording=already)
        items = list(current.items)
        items[item] = items[item].model_copy(update={"follow_up": said})
        new = current.model_copy(update={"items": items, "updated_at": now})
        await save_plan(s, new)
        updated.append(new)

    payload: dict[str, object] = {
        "item": item,
        "course": planned.course,
        "done": done,
        "late": said.late,
    }
    await append_event_with_retry(
        sessions, _event(DEVELOPMENT_FOLLOWED_UP, who, record, now, payload), also=write
    )
    return view_of(updated[-1], now)


def _event(
    kind: str, who: Caller, record: AppraisalRecord, now: datetime, payload: dict[str, object]
) -> AuditEvent:
    return AuditEvent(
        event_id=f"{kind}-{uuid.uuid4()}",
        at=now,
        actor_nip=who.nip,
        kind=kind,
        appraisal_id=record.id,
        cycle_id=record.cycle_id,
        payload=payload,
    )
