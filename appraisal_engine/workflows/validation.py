"""Checks a task completion must pass before it may enter the history."""

from __future__ import annotations

from collections.abc import Collection

from appraisal_engine.domain.errors import DomainError
from appraisal_engine.domain.policy import Policy
from appraisal_engine.domain.records import TaskStatus
from appraisal_engine.domain.reports import check_report
from appraisal_engine.domain.review import check_review
from appraisal_engine.domain.stages import STAGE_OF, Stage
from appraisal_engine.domain.targets import TargetPlan, check_cascading
from appraisal_engine.workflows.errors import (
    INVALID_PAYLOAD,
    NOT_ASSIGNEE,
    SUPERSEDED,
    TASK_CLOSED,
    UNKNOWN_TASK,
    WRONG_STAGE,
    reject,
)
from appraisal_engine.workflows.messages import (
    AppealDecideBody,
    CompleteTaskInput,
    ReviewBody,
    SelfReportBody,
    TargetsApproveBody,
    TargetsDraftBody,
)
from appraisal_engine.workflows.taskbook import Task


def check_completion(
    task: Task | None,
    inp: CompleteTaskInput,
    *,
    stage: Stage,
    policy: Policy,
    draft: TargetPlan | None,
    plan: TargetPlan | None,
    parent_ids: Collection[str] | None,
    grade_released: str | None,
) -> None:
    """Raise a typed rejection for the wrong task, actor, stage or body; return if acceptable."""
    if task is None:
        raise reject(UNKNOWN_TASK, f"no task {inp.task_id!r} in this appraisal")
    if task.assignee != inp.actor_nip:
        raise reject(NOT_ASSIGNEE, "this task is assigned to someone else")
    if task.status is TaskStatus.SUPERSEDED:
        raise reject(
            SUPERSEDED, "this task was moved to someone else", replaced_by=task.replaced_by
        )
    if not task.open:
        raise reject(TASK_CLOSED, f"this task is already {task.status.value}")
    if STAGE_OF[task.kind] is not stage:
        raise reject(WRONG_STAGE, f"the appraisal is in stage {stage.value}, not {task.kind.value}")
    body = inp.body
    if body.kind != task.kind.value:
        raise reject(
            INVALID_PAYLOAD, f"body is for {body.kind!r}, task is {task.kind.value!r}", field="kind"
        )
    try:
        _check_body(
            body,
            policy=policy,
            draft=draft,
            plan=plan,
            parent_ids=parent_ids,
            grade_released=grade_released,
        )
    except DomainError as e:
        raise reject(INVALID_PAYLOAD, e.reason, field=e.field) from None


def _check_body(
    body: object,
    *,
    policy: Policy,
    draft: TargetPlan | None,
    plan: TargetPlan | None,
    parent_ids: Collection[str] | None,
    grade_released: str | None,
) -> None:
    if isinstance(body, TargetsDraftBody) and parent_ids is not None:
        check_cascading(body.plan, parent_ids)
    elif isinstance(body, TargetsApproveBody):
        if draft is None:
            raise DomainError("there is no draft to decide on", field="decision")
        if body.decision == "return" and not body.comment:
            raise DomainError(
                "a returned plan needs a comment saying what to change", field="comment"
            )
    elif isinstance(body, SelfReportBody) and plan is not None:
        check_report(body.report, plan, structured=policy.structured_reports)
    elif isinstance(body, ReviewBody) and plan is not None:
        check_review(body.review, plan)
    elif isinstance(body, AppealDecideBody):
        if body.decision == "change" and body.grade is None:
            raise DomainError("changing the grade needs the new grade", field="grade")
        if body.decision == "change" and body.grade == grade_released:
            raise DomainError(
                "the new grade equals the released one: uphold instead", field="grade"
            )
        if body.decision == "uphold" and body.grade is not None:
            raise DomainError("upholding takes no grade", field="grade")
