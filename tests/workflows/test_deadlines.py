"""Every deadline path: a reminder before, escalation at the deadline, the fallback after it."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from appraisal_engine.domain.calendar import ZONE_OFFSETS
from appraisal_engine.domain.presets import NATIONAL, WANGGAR
from appraisal_engine.domain.ratings import Grade
from appraisal_engine.domain.records import NotificationKind, TaskStatus
from appraisal_engine.domain.stages import Stage
from appraisal_engine.domain.tasks import TaskKind
from appraisal_engine.store.repositories.tasks import list_tasks
from appraisal_engine.workflows.appraisal.workflow import AppraisalWorkflow
from appraisal_engine.workflows.messages import ExtendDeadlineInput
from tests.workflows.conftest import Running
from tests.workflows.driver import (
    EMPLOYEE,
    SUPERIOR,
    SUPERVISOR,
    Actors,
    appraisal_input,
    drive,
    opened,
    start,
)


def notices(running: Running, task_id: str) -> list[tuple[NotificationKind, list[str]]]:
    return [(n.kind, n.recipients) for n in running.notifier.sent if n.task_id == task_id]


async def test_employee_task_reminded_escalated_then_waits_flagged(running: Running) -> None:
    actors = Actors(NATIONAL)
    actors.skip = lambda t: t.kind is TaskKind.TARGETS_DRAFT
    handle = await start(running, appraisal_input(NATIONAL))
    state = await drive(running, handle, actors, until=lambda s: "overdue:targets.draft" in s.flags)
    [draft] = state.tasks
    assert notices(running, draft.id) == [
        (NotificationKind.REMINDER, [EMPLOYEE]),
        (NotificationKind.ESCALATION, sorted([SUPERVISOR, SUPERIOR])),
        (NotificationKind.OVERDUE, sorted([EMPLOYEE, SUPERIOR])),
    ]
    # A plan is never invented: the task stays open with its owner, escalated.
    assert draft.status is TaskStatus.OPEN and draft.escalated
    assert draft.assignee_nip == EMPLOYEE
    now = await running.env.get_current_time()
    rule = NATIONAL.rule(TaskKind.TARGETS_DRAFT)
    assert now - draft.opened_at >= timedelta(days=rule.due_days + rule.escalation_days)
    await handle.terminate()


async def test_supervisor_task_moves_to_the_superior_at_the_deadline(running: Running) -> None:
    actors = Actors(NATIONAL)
    actors.skip = lambda t: t.kind is TaskKind.TARGETS_APPROVE and t.assignee_nip == SUPERVISOR
    handle = await start(running, appraisal_input(NATIONAL))
    state = await drive(running, handle, actors, until=lambda s: s.stage is Stage.MONITORING)
    approvals = [t for t in state.tasks if t.kind is TaskKind.TARGETS_APPROVE]
    assert [(t.assignee_nip, t.status) for t in approvals] == [
        (SUPERVISOR, TaskStatus.SUPERSEDED),
        (SUPERIOR, TaskStatus.DONE),
    ]
    assert approvals[1].escalated and approvals[1].completed_by == SUPERIOR
    assert notices(running, approvals[0].id) == [(NotificationKind.REMINDER, [SUPERVISOR])]
    assert notices(running, approvals[1].id) == [(NotificationKind.ESCALATION, [SUPERIOR])]
    await handle.terminate()


async def test_missing_self_report_is_recorded_and_the_year_goes_on(running: Running) -> None:
    actors = Actors(NATIONAL)
    actors.skip = lambda t: t.kind is TaskKind.SELF_REPORT and t.period == 2
    handle = await start(running, appraisal_input(NATIONAL))
    state = await drive(running, handle, actors)
    assert state.stage is Stage.DONE and state.grade_final is Grade.BAIK
    assert [p.report_status for p in state.periods] == ["done", "missing", "done", "done"]
    assert [p.feedback_status for p in state.periods] == ["done", "skipped", "done", "done"]
    assert "missing_report:2" in state.flags
    async with running.sessions() as session:
        missing = await list_tasks(session, appraisal_id=handle.id, status=TaskStatus.MISSING)
    assert [(t.kind, t.period) for t in missing] == [(TaskKind.SELF_REPORT, 2)]
    kinds = [n[0] for n in notices(running, missing[0].id)]
    assert kinds == [NotificationKind.REMINDER, NotificationKind.ESCALATION]


async def test_review_never_done_is_flagged_not_invented(running: Running) -> None:
    actors = Actors(NATIONAL)
    actors.skip = lambda t: t.kind is TaskKind.REVIEW
    handle = await start(running, appraisal_input(NATIONAL))
    state = await drive(running, handle, actors, until=lambda s: "overdue:review" in s.flags)
    assert state.stage is Stage.REVIEW and state.assessment is None and state.grade_final is None
    review = [t for t in state.tasks if t.kind is TaskKind.REVIEW and t.status is TaskStatus.OPEN]
    assert [t.assignee_nip for t in review] == [SUPERIOR]

    # HR extends the deadline: reminders and escalation start over for the new date.
    now = await running.env.get_current_time()
    await handle.execute_update(
        AppraisalWorkflow.extend_deadline,
        ExtendDeadlineInput(
            actor_nip="198001152005011099",
            task_id=review[0].id,
            due_at=now + timedelta(days=10),
            reason="atasan cuti sakit",
        ),
    )
    state = await handle.query(AppraisalWorkflow.state)
    [moved] = [t for t in state.tasks if t.id == review[0].id]
    assert moved.due_at == now + timedelta(days=10) and moved.status is TaskStatus.OPEN
    await handle.terminate()


async def test_days_count_on_the_organisations_clock(running: Running) -> None:
    # Wanggar keeps WIT: next year starts at 10.00 UTC on 5 January, 19.00 WIT.
    now = await running.env.get_current_time()
    y = now.year + 1
    year_start = datetime(y, 1, 5, 10, tzinfo=UTC)
    await running.env.sleep(year_start - now)
    handle = await start(running, appraisal_input(WANGGAR, year_start=year_start))
    state = await opened(handle)
    wit = ZONE_OFFSETS["Asia/Jayapura"]
    # Each quarter ends at midnight WIT, the first as 4 April ends there.
    assert state.periods[0].ends_at == datetime(y, 4, 4, 15, tzinfo=UTC)
    assert all((p.ends_at + wit).time() == time() for p in state.periods)
    # The plan's 31 days count from 6 January, WIT, and end as 5 February ends there.
    [draft] = state.tasks
    assert draft.due_at == datetime(y, 2, 5, 15, tzinfo=UTC)
    await handle.terminate()
