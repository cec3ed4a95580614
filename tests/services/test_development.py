"""Development plans against the database: the supervisor plans and follows up, the employee,
HR and auditors read, anyone else is told there is no such appraisal; every rule at its edge."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from appraisal_engine.api.auth import Principal
from appraisal_engine.api.roles import Role
from appraisal_engine.domain.audit_kinds import DEVELOPMENT_FOLLOWED_UP, DEVELOPMENT_PLANNED
from appraisal_engine.domain.development import PlanItem, SkillKind
from appraisal_engine.domain.notices import Decision
from appraisal_engine.domain.outcome import OutcomeKind
from appraisal_engine.domain.policy import Policy
from appraisal_engine.domain.presets import preset
from appraisal_engine.domain.ratings import Grade
from appraisal_engine.domain.records import AppraisalRecord, AuditFilter
from appraisal_engine.services import development
from appraisal_engine.services.errors import Conflict, Forbidden, Invalid, NotFound
from appraisal_engine.store.repositories.appraisals import upsert_appraisal
from appraisal_engine.store.repositories.audit import list_events
from appraisal_engine.store.repositories.notices import list_notices
from appraisal_engine.store.repositories.outcomes import upsert_outcome
from tests.store.builders import appraisal, nip, outcome, uid

EMPLOYEE, SUPERVISOR, SUPERIOR, STRANGER = nip(41), nip(42), nip(43), nip(44)
CALLERS = {
    "employee": Principal(nip=EMPLOYEE),
    "supervisor": Principal(nip=SUPERVISOR),
    "superior": Principal(nip=SUPERIOR),
    "stranger": Principal(nip=STRANGER),
    "hr": Principal(nip=nip(45), roles=frozenset({Role.HR})),
    "auditor": Principal(nip=nip(46), roles=frozenset({Role.AUDITOR})),
}
# 09:00 WIB on 2 February: the organisation's today is the 2nd.
NOW = datetime(2026, 2, 2, 2, 0, tzinfo=UTC)
TODAY = date(2026, 2, 2)


@dataclass
class Year:
    """One appraisal with an outcome, and one without yet, in a cycle of their own."""

    cycle_id: str
    record: AppraisalRecord
    undecided: str
    sessions: async_sessionmaker[AsyncSession]


@pytest.fixture
async def year(session_factory: async_sessionmaker[AsyncSession]) -> AsyncIterator[Year]:
    cycle_id = uid("cycle")
    chain = {"supervisor_nip": SUPERVISOR, "superior_nip": SUPERIOR, "cycle_id": cycle_id}
    record = appraisal(employee_nip=EMPLOYEE, stage="done", policy="tebingtinggi", **chain)
    undecided = appraisal(employee_nip=EMPLOYEE, stage="appeal", **chain)
    decided = outcome(
        appraisal_id=record.id,
        cycle_id=cycle_id,
        employee_nip=EMPLOYEE,
        grade=Grade.BUTUH_PERBAIKAN,
        kind=OutcomeKind.DEVELOPMENT,
    )
    async with session_factory() as s, s.begin():
        await upsert_appraisal(s, record)
        await upsert_appraisal(s, undecided)
        await upsert_outcome(s, decided)
    yield Year(cycle_id, record, undecided.id, session_factory)


def under(name: str) -> development.PolicyOf:
    async def policy_of(_: AppraisalRecord) -> Policy:
        return preset(name)

    return policy_of


def items(*days: int) -> list[PlanItem]:
    kinds = [SkillKind.TECHNICAL, SkillKind.SOFT]
    return [
        PlanItem(kind=kinds[n % 2], course=f"Diklat {n}", due_on=TODAY + timedelta(d))
        for n, d in enumerate(days)
    ]


async def plan(
    year: Year,
    caller: str = "supervisor",
    *,
    policy: str = "tebingtinggi",
    appraisal_id: str | None = None,
    **changes: object,
) -> development.PlanView:
    args: dict[str, object] = {
        "items": items(10, 30),
        "follow_up_on": TODAY + timedelta(60),
        "policy_of": under(policy),
        "now": NOW,
    }
    args.update(changes)
    async with year.sessions() as s:
        return await development.make_plan(
            s,
            year.sessions,
            CALLERS[caller],
            appraisal_id or year.record.id,
            **args,  # type: ignore[arg-type]
        )


async def follow(year: Year, item: int, *, at: datetime, done: bool = True) -> development.PlanView:
    async with year.sessions() as s:
        return await development.follow_up(
            s,
            year.sessions,
            CALLERS["supervisor"],
            year.record.id,
            item=item,
            done=done,
            note="",
            now=at,
        )


async def test_the_supervisor_plans_courses_with_a_follow_up_date_audited(year: Year) -> None:
    view = await plan(year)
    assert view.plan.planned_by == SUPERVISOR and view.plan.follow_up_on == TODAY + timedelta(60)
    assert [i.course for i in view.plan.items] == ["Diklat 0", "Diklat 1"]
    assert view.overdue_items == [] and not view.follow_up_overdue
    async with year.sessions() as s:
        events = await list_events(s, where=AuditFilter(appraisal_id=year.record.id))
    assert [e.kind for e in events] == [DEVELOPMENT_PLANNED]
    assert events[0].actor_nip == SUPERVISOR and len(events[0].payload["items"]) == 2
    # The employee is told, once for this plan, in the same transaction as its audit row.
    async with year.sessions() as s:
        told = [
            n
            for n in await list_notices(s, recipient_nip=EMPLOYEE)
            if n.appraisal_id == year.record.id
        ]
    assert [n.decision for n in told] == [Decision.DEVELOPMENT_PLANNED]
    assert told[0].id.startswith(events[0].event_id)


async def test_a_refused_plan_tells_nobody(year: Year) -> None:
    with pytest.raises(Invalid):
        await plan(year, follow_up_on=None)
    async with year.sessions() as s:
        told = await list_notices(s, recipient_nip=EMPLOYEE)
    assert not [n for n in told if n.appraisal_id == year.record.id]


async def test_tebingtinggi_refuses_a_plan_without_a_follow_up_date(year: Year) -> None:
    with pytest.raises(Invalid) as refused:
        await plan(year, follow_up_on=None)
    assert [i.field for i in refused.value.issues] == ["follow_up_on"]
    # The national policy leaves the date to the supervisor.
    assert (await plan(year, policy="national", follow_up_on=None)).plan.follow_up_on is None


async def test_wanggar_refuses_a_plan_without_a_soft_skill(year: Year) -> None:
    technical = [PlanItem(kind=SkillKind.TECHNICAL, course="SIG", due_on=TODAY)]
    with pytest.raises(Invalid, match="soft"):
        await plan(year, policy="wanggar", items=technical)


@pytest.mark.parametrize("caller", ["employee", "hr"])
async def test_only_the_supervisor_plans(year: Year, caller: str) -> None:
    with pytest.raises(Forbidden):
        await plan(year, caller)


@pytest.mark.parametrize("caller", ["superior", "stranger"])
async def test_anyone_else_is_told_there_is_no_such_appraisal(year: Year, caller: str) -> None:
    await plan(year)
    with pytest.raises(NotFound, match=r"^no such appraisal$"):
        await plan(year, caller)
    async with year.sessions() as s:
        with pytest.raises(NotFound, match=r"^no such appraisal$"):
            await development.read_plan(
                s, CALLERS[caller], year.record.id, now=NOW, sessions=year.sessions
            )


@pytest.mark.parametrize("caller", ["employee", "supervisor", "hr", "auditor"])
async def test_the_employee_supervisor_hr_and_auditors_read_the_plan(
    year: Year, caller: str
) -> None:
    made = await plan(year)
    async with year.sessions() as s:
        assert (
            await development.read_plan(
                s, CALLERS[caller], year.record.id, now=NOW, sessions=year.sessions
            )
            == made
        )


async def test_no_plan_before_the_outcome(year: Year) -> None:
    with pytest.raises(Conflict, match="no follow-up is decided yet"):
        await plan(year, appraisal_id=year.undecided)


async def test_a_follow_up_on_the_item_s_date_is_on_time_a_day_later_is_late(year: Year) -> None:
    await plan(year)
    # 23:00 WIB on the 12th is still the item's day; 00:30 WIB on the 13th is the day after.
    on_the_day = datetime(2026, 2, 12, 16, 0, tzinfo=UTC)
    day_after = datetime(2026, 2, 12, 17, 30, tzinfo=UTC)
    async with year.sessions() as s:
        before = await development.read_plan(
            s, CALLERS["employee"], year.record.id, now=day_after, sessions=year.sessions
        )
    assert before.overdue_items == [0]
    first = await follow(year, 0, at=on_the_day)
    assert first.plan.items[0].follow_up is not None
    assert not first.plan.items[0].follow_up.late and first.overdue_items == []
    second_due = datetime.combine(TODAY + timedelta(31), datetime.min.time(), UTC)
    second = await follow(year, 1, at=second_due, done=False)
    said = second.plan.items[1].follow_up
    assert said is not None and said.late and not said.done and said.by == SUPERVISOR
    async with year.sessions() as s:
        kinds = [
            e.kind for e in await list_events(s, where=AuditFilter(appraisal_id=year.record.id))
        ]
    assert kinds == [DEVELOPMENT_PLANNED, DEVELOPMENT_FOLLOWED_UP, DEVELOPMENT_FOLLOWED_UP]


async def test_the_plan_s_follow_up_is_overdue_past_its_date(year: Year) -> None:
    await plan(year, follow_up_on=TODAY + timedelta(30))
    past = datetime.combine(TODAY + timedelta(31), datetime.min.time(), UTC)
    async with year.sessions() as s:
        view = await development.read_plan(
            s, CALLERS["hr"], year.record.id, now=past, sessions=year.sessions
        )
    assert view.follow_up_overdue and view.overdue_items == [0, 1]


async def test_a_follow_up_stands_and_the_plan_can_no_longer_be_replaced(year: Year) -> None:
    await plan(year)
    await follow(year, 0, at=NOW)
    with pytest.raises(Conflict, match="already followed up"):
        await follow(year, 0, at=NOW)
    with pytest.raises(Invalid, match="items 0 to 1"):
        await follow(year, 2, at=NOW)
    with pytest.raises(Conflict, match="can no longer be replaced"):
        await plan(year)


async def test_hr_and_auditors_read_the_cycle_s_plans_others_may_not(year: Year) -> None:
    await plan(year)
    async with year.sessions() as s:
        for caller in ("hr", "auditor"):
            views = await development.cycle_plans(
                s,
                CALLERS[caller],
                year.cycle_id,
                now=NOW,
                limit=10,
                offset=0,
                sessions=year.sessions,
            )
            assert [v.plan.appraisal_id for v in views] == [year.record.id]
        with pytest.raises(Forbidden):
            await development.cycle_plans(
                s,
                CALLERS["supervisor"],
                year.cycle_id,
                now=NOW,
                limit=10,
                offset=0,
                sessions=year.sessions,
            )
