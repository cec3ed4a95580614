"""What an appraisal's grade is computed from, as its history recorded it, so the grade can be
worked out again under the domain rules: by the timeline and by `appraisal verify-history`."""

from __future__ import annotations

from dataclasses import dataclass, field

from appraisal_engine.domain.indicators import PeriodIndicators, summarise_indicators
from appraisal_engine.domain.peer import PeerFeedback, summarise_peers
from appraisal_engine.domain.ratings import Grade
from appraisal_engine.domain.review import Assessment, Review, assess_year
from appraisal_engine.domain.targets import TargetPlan
from appraisal_engine.workflows import messages as m


@dataclass
class GradeInputs:
    """What an appraisal's grade is computed from, gathered as its history is read: the draft
    that became the plan when approved, the periods' ratings, the peers' answers, each period's
    discipline and attendance, and the community score of its own unit (from the start input of
    its first run, then from the cycle's signals) until the
    review."""

    inp: m.AppraisalInput | None = None  # the latest run's
    draft: TargetPlan | None = None
    plan: TargetPlan | None = None
    community: float | None = None
    reviewed: bool = False
    period_grades: list[Grade] = field(default_factory=list)
    peer_answers: list[PeerFeedback] = field(default_factory=list)
    indicators: list[PeriodIndicators] = field(default_factory=list)

    def start(self, inp: m.AppraisalInput) -> None:
        """A run started; the first run's input carries the community score known then."""
        if self.inp is None:
            self.community = inp.community_score
        self.inp = inp

    def body(self, body: m.TaskBody) -> None:
        """An accepted task body: a draft, or the approval that makes it the plan."""
        if isinstance(body, m.TargetsDraftBody):
            self.draft = body.plan
        elif isinstance(body, m.TargetsApproveBody) and body.decision == "approve":
            self.plan = self.draft
        elif isinstance(body, m.PeerFeedbackBody) and not self.reviewed:
            self.peer_answers.append(body.answers)
        elif isinstance(body, m.FeedbackBody):
            if body.feedback.rating is not None:
                self.period_grades.append(body.feedback.rating.grade)
            if body.feedback.indicators is not None:
                self.indicators.append(body.feedback.indicators)

    def community_score(self, score: m.CommunityScore) -> bool:
        """Take a unit's score if it counts (its own unit, one that serves citizens, before the
        review); whether it did."""
        inp = self.inp
        used = (
            inp is not None
            and score.unit_code == inp.unit_code
            and not self.reviewed
            and inp.policy.community.serves_citizens(score.unit_code)
        )
        if used:
            self.community = score.score
        return used

    def grade(self, review: Review) -> Assessment | None:
        """The review is in: the grade the domain rules give it under the recorded policy, or
        None without an approved plan. Raises DomainError for a review that cannot be graded."""
        self.reviewed = True
        if self.inp is None or self.plan is None:
            return None
        rules = self.inp.policy.peer
        peers = (
            summarise_peers(
                self.peer_answers,
                invited=rules.peers_per_employee,  # the counts that decide do not read it
                quorum=rules.quorum,
                anonymity_threshold=rules.anonymity_threshold,
                aspects=rules.aspects,
            )
            if rules.enabled
            else None
        )
        # The grade needs how many periods had indicators and their values, not which periods:
        # the history's feedback bodies are numbered in the order they came.
        indicators = summarise_indicators(
            dict(enumerate(self.indicators, start=1)),
            periods=self.inp.policy.report_period.per_year,
            rules=self.inp.policy.indicators,
        )
        return assess_year(
            self.inp.policy,
            review,
            self.plan,
            self.community,
            self.period_grades,
            peers,
            unit_code=self.inp.unit_code,
            indicators=indicators,
        )
