"""Every validator rejection leaves the state and the history exactly as they were."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from datetime import timedelta

import pytest
from temporalio.api.enums.v1 import EventType
from temporalio.client import WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError

from appraisal_engine.domain.presets import NATIONAL
from appraisal_engine.domain.ratings import Rating
from appraisal_engine.domain.records import TaskStatus
from appraisal_engine.domain.reports import Realisation, SelfReport
from appraisal_engine.domain.stages import Stage
from appraisal_engine.domain.tasks import TaskKind
from appraisal_engine.workflows.appraisal.workflow import AppraisalWorkflow
from appraisal_engine.workflows.messages import (
    CancelInput,
    ExtendDeadlineInput,
    FeedbackBody,
    FileAppealInput,
    ReassignInput,
    ReviewBody,
    SelfReportBody,
    TargetsApproveBody,
    TargetsDraftBody,
)
from tests.workflows.conftest import Running
from tests.workflows.driver import (
    EMPLOYEE,
    PLAN,
    SUPERVISOR,
    Actors,
    Handle,
    appraisal_input,
    complete,
    drive,
    opened,
    review,
    start,
)

# The time-skipping server keeps the workflow task that ran a rejected validator; the real
# server drops it. Either way nothing else may enter the history.
BOOKKEEPING = {
    EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED,
    EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED,
    EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED,
}


async def assert_rejected(
    handle: Handle,
    attempt: Callable[[], Awaitable[object]],
    kind: str,
    field: str | None = None,
    *,
    strict: bool = False,
) -> None:
    """The attempt is rejected with `kind`; state and history stay as they were."""
    before_state = await handle.query(AppraisalWorkflow.state)
    before = (await handle.fetch_history()).events
    with pytest.raises(WorkflowUpdateFailedError) as err:
        await attempt()
    cause = err.value.cause
    assert isinstance(cause, ApplicationError) and cause.type == kind, cause
    if field is not None:
        assert cause.details and cause.details[0]["field"] == field
    assert await handle.query(AppraisalWorkflow.state) == before_state
    after = (await handle.fetch_history()).events
    assert after[: len(before)] == before
    added = {e.event_type for e in after[len(before) :]}
    assert added == set() if strict else added <= BOOKKEEPING, added


async def test_rejections_in_targets_stage(running: Running) -> None:
    await targets_stage_rejections(running, strict=False)


async def test_rejections_leave_no_event_on_the_real_server(running_dev: Running) -> None:
    await targets_stage_rejections(running_dev, strict=True)


async def targets_stage_rejections(running: Running, *, strict: bool) -> None:
    """Wrong actor, unknown task, wrong body kind, wrong stage, closed task, bad payload."""
    check = functools.partial(assert_rejected, strict=strict)
    handle = await start(running, appraisal_input(NATIONAL))
    state = await opened(handle)
    [draft] = state.tasks
    good = TargetsDraftBody(plan=PLAN)

    await check(handle, lambda: complete(handle, draft, good, actor=SUPERVISOR), "NotAssignee")
    await check(
        handle,
        lambda: complete(handle, draft.model_copy(update={"id": draft.id + "9"}), good),
        "UnknownTask",
    )
    await check(
        handle,
        lambda: complete(handle, draft, TargetsApproveBody(decision="approve")),
        "InvalidPayload",
        "kind",
    )
    await check(
        handle,
        lambda: handle.execute_update(
            AppraisalWorkflow.file_appeal,
            FileAppealInput(actor_nip=EMPLOYEE, reason="Nilai tidak adil sama sekali"),
        ),
        "WrongStage",
    )

    await complete(handle, draft, good)
    state = await handle.query(AppraisalWorkflow.state)
    approve = next(t for t in state.tasks if t.kind is TaskKind.TARGETS_APPROVE)
    await check(handle, lambda: complete(handle, draft, good), "TaskClosed")
    await check(
        handle,
        lambda: complete(handle, approve, TargetsApproveBody(decision="return")),
        "InvalidPayload",
        "comment",
    )
    await handle.terminate()


async def test_rejections_of_bad_reports_and_reviews(running: Running) -> None:
    actors = Actors(NATIONAL)
    actors.skip = lambda t: t.kind in (TaskKind.SELF_REPORT, TaskKind.REVIEW) and t.period != 1
    handle = await start(running, appraisal_input(NATIONAL))
    state = await drive(
        running,
        handle,
        actors,
        until=lambda s: any(t.kind is TaskKind.SELF_REPORT and t.period == 2 for t in s.tasks),
    )
    report = next(t for t in state.tasks if t.kind is TaskKind.SELF_REPORT and t.period == 2)
    unknown = SelfReport(realisations=[Realisation(target_id="T9", value=1)])
    await assert_rejected(
        handle,
        lambda: complete(handle, report, SelfReportBody(report=unknown)),
        "InvalidPayload",
        "realisations[0]",
    )
    feedback = next(t for t in state.tasks if t.kind is TaskKind.FEEDBACK)
    assert feedback.status is TaskStatus.DONE
    await assert_rejected(
        handle,
        lambda: complete(
            handle, feedback, FeedbackBody.model_validate({"feedback": {"comment": "ok"}})
        ),
        "TaskClosed",
    )

    actors.skip = lambda t: t.kind is TaskKind.REVIEW
    state = await drive(running, handle, actors, until=lambda s: s.stage is Stage.REVIEW)
    task = next(t for t in state.tasks if t.kind is TaskKind.REVIEW)
    partial = review(Rating.MEETS, Rating.MEETS).model_copy(
        update={"target_ratings": {"T1": Rating.MEETS}}
    )
    await assert_rejected(
        handle,
        lambda: complete(handle, task, ReviewBody(review=partial)),
        "InvalidPayload",
        "target_ratings",
    )
    await assert_rejected(
        handle,
        lambda: handle.execute_update(
            AppraisalWorkflow.reassign,
            ReassignInput(actor_nip=SUPERVISOR, supervisor_nip=EMPLOYEE, reason="mutasi"),
        ),
        "NotAllowed",
        "supervisor_nip",
    )
    now = await running.env.get_current_time()
    await assert_rejected(
        handle,
        lambda: handle.execute_update(
            AppraisalWorkflow.extend_deadline,
            ExtendDeadlineInput(
                actor_nip=SUPERVISOR,
                task_id=task.id,
                due_at=now - timedelta(days=1),
                reason="mundur",
            ),
        ),
        "NotAllowed",
        "due_at",
    )
    await handle.execute_update(
        AppraisalWorkflow.cancel, CancelInput(actor_nip=EMPLOYEE, reason="mutasi keluar")
    )
    assert (await handle.result()).stage is Stage.CANCELLED
