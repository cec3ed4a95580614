"""The checks an update must pass before it may enter the history: pure, mutating nothing."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from enum import StrEnum

from appraisal_engine.domain.appeals import check_chain
from appraisal_engine.domain.calendar import local_date
from appraisal_engine.domain.errors import DomainError, Wording
from appraisal_engine.domain.peer import check_peer_answers
from appraisal_engine.domain.periodic import check_period_rating
from appraisal_engine.domain.planning import check_plan_decision
from appraisal_engine.domain.policy import Policy
from appraisal_engine.domain.records import TaskStatus
from appraisal_engine.domain.reports import check_feedback, check_report
from appraisal_engine.domain.review import check_review
from appraisal_engine.domain.stages import STAGE_OF, Stage
from appraisal_engine.domain.targets import TargetPlan, check_cascading, check_contributions
from appraisal_engine.workflows.appraisal.state import AppraisalYear
from appraisal_engine.workflows.errors import (
    INVALID_PAYLOAD,
    NOT_ALLOWED,
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
    ExtendDeadlineInput,
    FeedbackBody,
    FileAppealInput,
    PeerFeedbackBody,
    ReassignInput,
    ReviewBody,
    SelfReportBody,
    TargetsApproveBody,
    TargetsDraftBody,
)


def _code(value: StrEnum) -> Wording:
    """A stage, status or task kind named in a refusal: its code, which a page translates."""
    return Wording.fixed(value.value)


def _already(status: TaskStatus) -> Wording:
    return Wording("this task is already %(status)s", {"status": _code(status)})


def check_completion(year: AppraisalYear, inp: CompleteTaskInput, now: datetime) -> None:
    """Raise a typed rejection for the wrong task, actor, stage or body; return if acceptable."""
    task = year.book.get(inp.task_id)
    if task is None:
        raise reject(UNKNOWN_TASK, f"no task {inp.task_id!r} in this appraisal")
    if task.assignee != inp.actor_nip:
        raise reject(NOT_ASSIGNEE, "this task is assigned to someone else")
    if task.status is TaskStatus.SUPERSEDED:
        raise reject(
            SUPERSEDED, "this task was moved to someone else", replaced_by=task.replaced_by
        )
    if not task.open:
        raise reject(TASK_CLOSED, _already(task.status))
    stage = year.stage
    if STAGE_OF[task.kind] is not stage:
        raise reject(
            WRONG_STAGE,
            Wording(
                "the appraisal is in stage %(stage)s, not %(kind)s",
                {"stage": _code(stage), "kind": _code(task.kind)},
            ),
        )
    body = inp.body
    if body.kind != task.kind.value:
        raise reject(
            INVALID_PAYLOAD,
            Wording(
                "body is for %(body)s, task is %(kind)s",
                {"body": repr(body.kind), "kind": repr(task.kind.value)},
            ),
            field="kind",
        )
    if isinstance(body, ReviewBody):
        _check_unit_head(year)
    try:
        _check_body(
            body,
            policy=year.policy,
            draft=year.draft,
            plan=year.plan,
            parent_ids=[p.id for p in year.parents] if year.parents is not None else None,
            grade_released=year.grade_final,
            now=now,
        )
    except DomainError as e:
        raise reject(INVALID_PAYLOAD, e.wording, field=e.field) from None


def _check_unit_head(year: AppraisalYear) -> None:
    """A unit's head, under a policy taking their results from the unit's rating, is
    reviewed once that rating is decided."""
    if year.inp.heads_unit and year.policy.unit_head_results and year.unit_rating is None:
        raise reject(
            WRONG_STAGE,
            Wording(
                "the work results of the head of %(unit)s follow the unit's rating, which is "
                "not decided yet: decide it first",
                {"unit": year.inp.unit_code},
            ),
        )


def check_file_appeal(year: AppraisalYear, inp: FileAppealInput, now: datetime) -> None:
    """Only the employee appeals, once, inside the open window."""
    if inp.actor_nip != year.inp.employee_nip:
        raise reject(NOT_ALLOWED, "only the appraised employee may appeal")
    if year.stage is not Stage.APPEAL or year.appeal_deadline is None:
        raise reject(
            WRONG_STAGE,
            Wording("no appeal window is open (stage %(stage)s)", {"stage": _code(year.stage)}),
        )
    if year.appeal is not None:
        raise reject(NOT_ALLOWED, "an appeal was already filed")
    if now >= year.appeal_deadline:
        raise reject(NOT_ALLOWED, "the appeal window has closed")


def check_extend_deadline(year: AppraisalYear, inp: ExtendDeadlineInput, now: datetime) -> None:
    """Only an open task's deadline moves, and only into the future."""
    task = year.book.get(inp.task_id)
    if task is None:
        raise reject(UNKNOWN_TASK, f"no task {inp.task_id!r} in this appraisal")
    if not task.open:
        raise reject(TASK_CLOSED, _already(task.status))
    if inp.due_at <= now:
        raise reject(NOT_ALLOWED, "the new deadline must be in the future", field="due_at")


def check_reassign(year: AppraisalYear, inp: ReassignInput) -> None:
    """A running appraisal moves to a chain that keeps roles apart and changes something."""
    if year.stage in (Stage.DONE, Stage.CANCELLED):
        raise reject(
            WRONG_STAGE, Wording("the appraisal is %(stage)s", {"stage": _code(year.stage)})
        )
    # The rule every appraisal starts under (domain.appeals): nobody hears an appeal
    # against their own review, so a superior equal to the new supervisor is refused here.
    try:
        check_chain(
            year.inp.employee_nip, inp.supervisor_nip, inp.superior_nip or year.superior_nip
        )
    except DomainError as e:
        raise reject(NOT_ALLOWED, e.wording, field=e.field) from None
    if inp.supervisor_nip == year.supervisor_nip and inp.superior_nip in (None, year.superior_nip):
        raise reject(NOT_ALLOWED, "nothing would change", field="supervisor_nip")


def check_cancel(year: AppraisalYear) -> None:
    """Only a running appraisal can be cancelled."""
    if year.stage in (Stage.DONE, Stage.CANCELLED):
        raise reject(
            WRONG_STAGE,
            Wording("the appraisal is already %(stage)s", {"stage": _code(year.stage)}),
        )


def _check_body(
    body: object,
    *,
    policy: Policy,
    draft: TargetPlan | None,
    plan: TargetPlan | None,
    parent_ids: Collection[str] | None,
    grade_released: str | None,
    now: datetime,
) -> None:
    if isinstance(body, TargetsDraftBody):
        if parent_ids is not None:
            check_cascading(body.plan, parent_ids)
        check_contributions(body.plan, required=policy.planning.contribution_required)
    elif isinstance(body, TargetsApproveBody):
        if draft is None:
            raise DomainError("there is no draft to decide on", field="decision")
        if body.decision == "return" and not body.comment:
            raise DomainError(
                "a returned plan needs a comment saying what to change", field="comment"
            )
        check_plan_decision(
            body.decision,
            body.expectations,
            body.dialogue,
            policy.planning,
            local_date(now, policy.time_zone),
        )
    elif isinstance(body, FeedbackBody):
        check_period_rating(body.feedback.rating, policy.periodic)
        check_feedback(body.feedback, indicators=policy.indicators.enabled)
    elif isinstance(body, SelfReportBody) and plan is not None:
        check_report(body.report, plan, structured=policy.structured_reports)
    elif isinstance(body, PeerFeedbackBody):
        check_peer_answers(body.answers, policy.peer.aspects)
    elif isinstance(body, ReviewBody) and plan is not None:
        check_review(body.review, plan, process=policy.process.enabled)
    elif isinstance(body, AppealDecideBody):
        if body.decision == "change" and body.grade is None:
            raise DomainError("changing the grade needs the new grade", field="grade")
        if body.decision == "change" and body.grade == grade_released:
            raise DomainError(
                "the new grade equals the released one: uphold instead", field="grade"
            )
        if body.decision == "uphold" and body.grade is not None:
            raise DomainError("upholding takes no grade", field="grade")
