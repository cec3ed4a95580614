"""The facts of one appraisal year, held in one serialisable model, and the views made of them:
the `state` query's AppraisalState, the read model's AppraisalRecord and the run's
AppraisalResult."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from appraisal_engine.domain.calendar import period_ends
from appraisal_engine.domain.curve import UnitRating
from appraisal_engine.domain.outcome import OutcomeDecision
from appraisal_engine.domain.peer import PeerFeedback, PeerSummary
from appraisal_engine.domain.planning import Expectations, PerformanceDialogue
from appraisal_engine.domain.policy import Policy
from appraisal_engine.domain.ratings import Grade, Rating
from appraisal_engine.domain.reassignment import Appraisers
from appraisal_engine.domain.records import (
    AppraisalRecord,
    AppraisalStatus,
    MentorStatus,
    ParentTarget,
)
from appraisal_engine.domain.review import Assessment, Review
from appraisal_engine.domain.schedule import DayCount
from appraisal_engine.domain.stages import Stage
from appraisal_engine.domain.targets import TargetPlan
from appraisal_engine.workflows.appraisal.taskbook import TaskBook
from appraisal_engine.workflows.messages import (
    AppealState,
    AppraisalInput,
    AppraisalResult,
    AppraisalState,
    PeriodState,
    ReleaseGrade,
)


class AppraisalYear(BaseModel):
    """Everything one employee's year has come to know, from its input to its outcome."""

    model_config = ConfigDict(extra="forbid")

    appraisal_id: str
    inp: AppraisalInput
    stage: Stage = Stage.TARGETS
    supervisor_nip: str
    superior_nip: str
    book: TaskBook
    flags: list[str] = Field(default_factory=list)
    zoned: bool = Field(
        default=False,
        description=(
            "a policy's days count on the organisation's clock, to the end of the last day "
            "(appraisals started before this were exact durations)"
        ),
    )
    awaiting_parents: bool = Field(
        description="cascading holds the draft until the supervisor's own targets are approved"
    )
    parents: list[ParentTarget] | None = None
    draft: TargetPlan | None = None
    plan: TargetPlan | None = None
    plan_returns: list[str] = Field(default_factory=list)
    expectations: Expectations = Field(default_factory=dict)
    dialogue: PerformanceDialogue | None = None
    periods: list[PeriodState]
    peer_answers: dict[str, PeerFeedback] = Field(default_factory=dict)
    peer_summary: PeerSummary | None = None
    community_score: float | None = None
    unit_rating: UnitRating | None = None
    review: Review | None = None
    assessment: Assessment | None = None
    release: ReleaseGrade | None = None
    grade_final: Grade | None = None
    appeal_deadline: datetime | None = None
    appeal: AppealState | None = None
    appeal_task: str | None = Field(default=None, description="the open appeal.decide task")
    outcome: OutcomeDecision | None = None
    mentor_nip: str | None = None
    mentor_status: MentorStatus = MentorStatus.NONE
    cancel_reason: str | None = None

    @classmethod
    def begin(cls, inp: AppraisalInput, appraisal_id: str, now: datetime) -> AppraisalYear:
        """The year of an appraisal starting `now`: in targets, nothing known yet."""
        ends = period_ends(inp.year_start or now, inp.policy.report_period.per_year)
        return cls(
            appraisal_id=appraisal_id,
            inp=inp,
            supervisor_nip=inp.supervisor_nip,
            superior_nip=inp.superior_nip,
            book=TaskBook(appraisal_id, inp.cycle_id, inp.employee_nip),
            awaiting_parents=inp.policy.cascading and inp.supervisor_in_cycle,
            periods=[PeriodState(period=k + 1, ends_at=e) for k, e in enumerate(ends)],
            community_score=inp.community_score,
        )

    @property
    def policy(self) -> Policy:
        """The policy the year runs under."""
        return self.inp.policy

    @property
    def days(self) -> DayCount:
        """How the year counts its policy's days."""
        return DayCount(self.policy, zoned=self.zoned)

    def count_local_days(self, now: datetime) -> None:
        """From the start: deadlines and the periods' ends on the organisation's clock."""
        self.zoned = True
        ends = self.days.period_ends(self.inp.year_start or now)
        self.periods = [
            p.model_copy(update={"ends_at": e}) for p, e in zip(self.periods, ends, strict=True)
        ]

    @property
    def cancelled(self) -> bool:
        """HR (or Temporal) has cancelled the appraisal; its stage may still be catching up."""
        return self.cancel_reason is not None

    def flag(self, flag: str) -> None:
        """Note something the year went through, once."""
        if flag not in self.flags:
            self.flags.append(flag)

    def appraisers(self) -> Appraisers:
        """Who appraises and who hears appeals now."""
        return Appraisers(supervisor_nip=self.supervisor_nip, superior_nip=self.superior_nip)

    def reassign(self, supervisor_nip: str, superior_nip: str | None) -> Appraisers:
        """Move the appraisal to a new appraiser (and superior); returns who appraised before."""
        before = self.appraisers()
        self.supervisor_nip = supervisor_nip
        self.superior_nip = superior_nip or self.superior_nip
        if self.supervisor_nip != before.supervisor_nip and self.stage is Stage.TARGETS:
            # The old supervisor's targets no longer bind; the new one's are not announced here.
            self.parents = None
            if self.awaiting_parents:
                self.awaiting_parents = False
                self.flag("cascading_skipped:reassigned")
        return before

    def peers(self) -> list[str]:
        """The peers asked for input: the roster's, less the employee and the appraiser."""
        skip = {self.inp.employee_nip, self.supervisor_nip}
        peers = [p for p in dict.fromkeys(self.inp.peer_nips) if p not in skip]
        return peers[: self.policy.peer.peers_per_employee]

    @property
    def grade_computed(self) -> Grade | None:
        """The grade the matrix gave the review, before calibration."""
        return self.assessment.grade if self.assessment else None

    def status(self) -> AppraisalStatus:
        """Whether the year is still running."""
        if self.stage is Stage.CANCELLED:
            return AppraisalStatus.CANCELLED
        return AppraisalStatus.COMPLETED if self.stage is Stage.DONE else AppraisalStatus.RUNNING

    def _who(self) -> dict[str, Any]:
        """Whose appraisal this is and who appraises: the read model and the query share it."""
        return {
            "cycle_id": self.inp.cycle_id,
            "employee_nip": self.inp.employee_nip,
            "unit_code": self.inp.unit_code,
            "supervisor_nip": self.supervisor_nip,
            "superior_nip": self.superior_nip,
            "policy": self.policy.name,
        }

    def record(self, at: datetime) -> AppraisalRecord:
        """The appraisal's read-model row as of `at`."""
        return AppraisalRecord(
            id=self.appraisal_id,
            **self._who(),
            stage=self.stage,
            status=self.status(),
            grade_computed=self.grade_computed,
            grade_final=self.grade_final,
            flags=list(self.flags),
            updated_at=at,
        )

    def view(self, waiting_until: datetime | None) -> AppraisalState:
        """The full live state, as the `state` query returns it."""
        return AppraisalState(
            appraisal_id=self.appraisal_id,
            **self._who(),
            stage=self.stage,
            waiting_until=waiting_until,
            waiting_for="supervisor_targets" if self.awaiting_parents else None,
            plan=self.plan or self.draft,
            plan_returns=list(self.plan_returns),
            expectations=dict(self.expectations),
            dialogue=self.dialogue,
            planning=self.policy.planning,
            periodic=self.policy.periodic,
            periods=list(self.periods),
            peer=self.peer_summary,
            community_score=self.community_score,
            heads_unit=self.inp.heads_unit,
            unit_rating=self.unit_rating,
            unit_results=self._unit_results(),
            review=self.review,
            assessment=self.assessment,
            grade_final=self.grade_final,
            grade_adjusted=bool(self.release and self.release.adjusted),
            grade_release_reason=self.release.reason if self.release else None,
            appeal_deadline=self.appeal_deadline,
            appeal=self.appeal,
            outcome=self.outcome,
            mentor_nip=self.mentor_nip,
            mentor_status=self.mentor_status,
            flags=list(self.flags),
            cancel_reason=self.cancel_reason,
            tasks=[self.book.record(t) for t in self.book.tasks.values()],
        )

    def _unit_results(self) -> Rating | None:
        mapping = self.policy.unit_head_results
        if not self.inp.heads_unit or mapping is None or self.unit_rating is None:
            return None
        return mapping[self.unit_rating]

    def result(self) -> AppraisalResult:
        """How the year ended, as the run returns it."""
        return AppraisalResult(
            appraisal_id=self.appraisal_id,
            stage=self.stage,
            grade_computed=self.grade_computed,
            grade_final=self.grade_final,
            outcome=self.outcome,
            mentor_nip=self.mentor_nip,
            flags=list(self.flags),
        )


def opening_record(inp: AppraisalInput, appraisal_id: str, at: datetime) -> AppraisalRecord:
    """The row of an appraisal that has just started: in targets, running, ungraded, no flags.

    Written by the appraisal itself, or stored for it by the cycle's launch
    (AppraisalInput.row_stored)."""
    return AppraisalYear.begin(inp, appraisal_id, at).record(at)
