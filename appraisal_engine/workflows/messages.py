"""Inputs and outputs of AppraisalWorkflow: one model per run, update, signal and query."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import Field

from appraisal_engine.domain.curve import UnitRating
from appraisal_engine.domain.employee import PositionLevel
from appraisal_engine.domain.model import Value
from appraisal_engine.domain.nip import Nip
from appraisal_engine.domain.outcome import OutcomeDecision
from appraisal_engine.domain.peer import PeerFeedback, PeerSummary
from appraisal_engine.domain.periodic import PeriodicPolicy
from appraisal_engine.domain.planning import Expectations, PerformanceDialogue, PlanningPolicy
from appraisal_engine.domain.policy import Policy
from appraisal_engine.domain.ratings import Grade, Rating
from appraisal_engine.domain.records import MentorStatus, ParentTarget, TaskRecord
from appraisal_engine.domain.reports import Feedback, SelfReport
from appraisal_engine.domain.review import Assessment, Review
from appraisal_engine.domain.stages import Stage
from appraisal_engine.domain.targets import TargetPlan


class AppraisalInput(Value):
    """Everything one employee's year needs, fixed at start from the roster snapshot."""

    cycle_id: str | None = None
    cycle_workflow_id: str | None = Field(
        default=None, description="the cycle that calibrates and releases the grade"
    )
    roster_id: str | None = None
    employee_nip: Nip
    unit_code: str
    position_level: PositionLevel
    supervisor_nip: Nip
    superior_nip: Nip = Field(
        description=(
            "atasan pejabat penilai: appeals and escalations; for the heads at the top, the "
            "policy's appeals officer (domain.appeals)"
        )
    )
    supervisor_in_cycle: bool = Field(
        default=False, description="cascading waits for the supervisor's own approved targets"
    )
    subordinate_nips: list[str] = Field(default_factory=list)
    peer_nips: list[str] = Field(default_factory=list)
    policy: Policy
    year_start: datetime | None = Field(default=None, description="defaults to the start time")
    previous_grade: Grade | None = None
    community_score: float | None = Field(default=None, ge=1, le=5)
    row_stored: bool = Field(
        default=False,
        description="the launch stored the opening read-model row, so the start writes none",
    )
    heads_unit: bool = Field(
        default=False,
        description="heads the unit, under a policy whose unit_head_results take the head's "
        "work results from the unit's decided rating",
    )


# Task bodies: one per task kind, told apart by `kind`.
class TargetsDraftBody(Value):
    """The employee's SKP draft."""

    kind: Literal["targets.draft"] = "targets.draft"
    plan: TargetPlan


class TargetsApproveBody(Value):
    """The supervisor approves the plan or returns it with a reason; with it, the leader's
    expectation for each BerAKHLAK value and the performance dialogue held on the plan."""

    kind: Literal["targets.approve"] = "targets.approve"
    decision: Literal["approve", "return"]
    comment: str = Field(default="", max_length=2000)
    expectations: Expectations = Field(
        default_factory=dict,
        description="ekspektasi pimpinan: what the supervisor expects per BerAKHLAK value",
        examples=[{"akuntabel": "Laporan kegiatan lengkap dengan bukti dukung tiap bulan"}],
    )
    dialogue: PerformanceDialogue | None = Field(
        default=None, description="dialog kinerja: when it was held, agreed or not, notes"
    )


class SelfReportBody(Value):
    """One period's self-report."""

    kind: Literal["self_report"] = "self_report"
    report: SelfReport


class FeedbackBody(Value):
    """The supervisor's feedback on a period's report."""

    kind: Literal["feedback"] = "feedback"
    feedback: Feedback


class PeerFeedbackBody(Value):
    """One peer's survey answers."""

    kind: Literal["peer_feedback"] = "peer_feedback"
    answers: PeerFeedback


class ReviewBody(Value):
    """The supervisor's year-end review."""

    kind: Literal["review"] = "review"
    review: Review


class AppealDecideBody(Value):
    """The appraiser's superior upholds or changes the grade; final."""

    kind: Literal["appeal.decide"] = "appeal.decide"
    decision: Literal["uphold", "change"]
    grade: Grade | None = None
    reason: str = Field(min_length=1, max_length=4000)


class MentorshipAcceptBody(Value):
    """The matched mentor accepts or declines."""

    kind: Literal["mentorship.accept"] = "mentorship.accept"
    accept: bool
    note: str = Field(default="", max_length=2000)


TaskBody = Annotated[
    TargetsDraftBody
    | TargetsApproveBody
    | SelfReportBody
    | FeedbackBody
    | PeerFeedbackBody
    | ReviewBody
    | AppealDecideBody
    | MentorshipAcceptBody,
    Field(discriminator="kind"),
]


class CompleteTaskInput(Value):
    """Complete a task: who acts, and the kind's body."""

    task_id: str
    actor_nip: str
    body: TaskBody


class TaskCompleted(Value):
    """The accepted task and where the appraisal stands after the workflow reacted to it."""

    task: TaskRecord
    stage: Stage
    open_tasks: list[TaskRecord]


class FileAppealInput(Value):
    """A keberatan from the employee, inside the window."""

    actor_nip: str
    reason: str = Field(min_length=10, max_length=4000)


class AppealFiled(Value):
    """The filed appeal and the task it opened."""

    filed_at: datetime
    decide_task_id: str | None = None


class ExtendDeadlineInput(Value):
    """HR moves an open task's deadline."""

    actor_nip: str
    task_id: str
    due_at: datetime
    reason: str = Field(min_length=3, max_length=1000)


class ReassignInput(Value):
    """HR moves the appraisal to a new supervisor (transfer, acting official)."""

    actor_nip: str
    supervisor_nip: Nip
    superior_nip: Nip | None = None
    reason: str = Field(min_length=3, max_length=1000)


class CancelInput(Value):
    """HR ends the appraisal (retirement, transfer out)."""

    actor_nip: str
    reason: str = Field(min_length=3, max_length=1000)


class HrActionDone(Value):
    """What an HR operation changed."""

    stage: Stage
    tasks: list[TaskRecord] = Field(default_factory=list)


class SupervisorTargetsApproved(Value):
    """Signal: the supervisor's own plan is approved; its targets are the parents to hang from."""

    supervisor_nip: str
    targets: list[ParentTarget]


class ReleaseGrade(Value):
    """Signal from the cycle: the calibrated final grade."""

    grade: Grade
    adjusted: bool = False
    reason: str = ""
    actor_nip: str | None = None


class CommunityScore(Value):
    """Signal: the unit's citizen-satisfaction score (1-5)."""

    unit_code: str
    score: float = Field(ge=1, le=5)


class UnitRatingDecided(Value):
    """Signal to a unit's head: the rating the unit's official decided."""

    unit_code: str
    rating: UnitRating


class PeriodState(Value):
    """One report period: its report and the feedback on it."""

    period: int
    ends_at: datetime
    report: SelfReport | None = None
    report_status: str = "pending"
    feedback: Feedback | None = None
    feedback_status: str = "pending"


class AppealState(Value):
    """A filed appeal and its decision."""

    filed_at: datetime
    reason: str
    deadline: datetime
    decision: Literal["uphold", "change"] | None = None
    decided_by: str | None = None
    decision_reason: str | None = None
    grade_before: Grade
    grade_after: Grade | None = None


class AppraisalState(Value):
    """The full live state of one appraisal, as the `state` query returns it."""

    appraisal_id: str
    cycle_id: str | None
    employee_nip: str
    unit_code: str
    supervisor_nip: str
    superior_nip: str
    policy: str
    stage: Stage
    waiting_for: str | None = None
    waiting_until: datetime | None = None
    plan: TargetPlan | None = None
    plan_returns: list[str] = Field(default_factory=list)
    expectations: Expectations = Field(
        default_factory=dict, description="the leader's expectations, set on approval"
    )
    dialogue: PerformanceDialogue | None = Field(
        default=None, description="the performance dialogue recorded with the approval"
    )
    planning: PlanningPolicy = Field(
        default_factory=PlanningPolicy, description="what the policy asks of planning"
    )
    periodic: PeriodicPolicy = Field(
        default_factory=PeriodicPolicy, description="periodic ratings and the year's grade rule"
    )
    periods: list[PeriodState] = Field(default_factory=list)
    peer: PeerSummary | None = None
    community_score: float | None = None
    heads_unit: bool = Field(
        default=False, description="the results rating follows the unit's decided rating"
    )
    unit_rating: UnitRating | None = Field(
        default=None, description="the unit's decided rating, as its head's appraisal knows it"
    )
    unit_results: Rating | None = Field(
        default=None, description="the head's work results rating the unit's rating gives"
    )
    review: Review | None = None
    assessment: Assessment | None = None
    grade_final: Grade | None = None
    grade_adjusted: bool = False
    grade_release_reason: str | None = None
    appeal_deadline: datetime | None = None
    appeal: AppealState | None = None
    outcome: OutcomeDecision | None = None
    mentor_nip: str | None = None
    mentor_status: MentorStatus = MentorStatus.NONE
    flags: list[str] = Field(default_factory=list)
    cancel_reason: str | None = None
    tasks: list[TaskRecord] = Field(default_factory=list)


class AppraisalResult(Value):
    """How the year ended."""

    appraisal_id: str
    stage: Stage
    grade_computed: Grade | None
    grade_final: Grade | None
    outcome: OutcomeDecision | None
    mentor_nip: str | None
    flags: list[str]


class PeerAnswers(Value):
    """Raw peer answers with the peers' NIPs: for auditors only."""

    answers: dict[str, PeerFeedback]
