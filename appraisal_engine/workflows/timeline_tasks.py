"""What an appraisal's timeline keeps as it reads, and what each completed task says in it."""

from __future__ import annotations

from typing import Any

from appraisal_engine.domain.errors import DomainError
from appraisal_engine.domain.periodic import PeriodRating
from appraisal_engine.domain.planning import PerformanceDialogue
from appraisal_engine.domain.policy import TaskRule
from appraisal_engine.domain.reports import Feedback
from appraisal_engine.domain.review import Review
from appraisal_engine.domain.tasks import TaskKind
from appraisal_engine.workflows import messages as m
from appraisal_engine.workflows.recorded_grade import GradeInputs


def excerpt(text: str, limit: int = 60) -> str:
    """Free text cut to a short excerpt: the timeline summarises, it does not republish."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


class TaskSteps:
    """The appraisal as read so far: its input, its appraisers, stage and grade, the task kinds
    its notices named, and who may see peers and their answers."""

    def __init__(self, reveal_peers: bool, reveal_answers: bool) -> None:
        self.reveal = reveal_peers
        self.answers = reveal_peers and reveal_answers
        self.inp: m.AppraisalInput | None = None
        self.supervisor = self.superior = self.stage = ""
        self.inputs = GradeInputs()
        self.grade: str | None = None
        self.released = self.appealed = False
        self.kinds: dict[str, TaskKind] = {}

    def start(self, inp: m.AppraisalInput) -> None:
        """A run started: its input names the appraisers."""
        self.inputs.start(inp)
        self.inp, self.supervisor, self.superior = inp, inp.supervisor_nip, inp.superior_nip

    def rule(self, kind: TaskKind) -> TaskRule:
        """The deadline rule of a task kind under the recorded policy."""
        assert self.inp is not None
        return self.inp.policy.rule(kind)

    def hide(self, kind: str) -> bool:
        """Whether a step would name a peer to a reader who may not know the peers."""
        return kind == TaskKind.PEER_FEEDBACK and not self.reveal

    def say(self, body: m.TaskBody, period: int | None) -> tuple[str, dict[str, Any]]:
        """A completed task's sentence and details."""
        at = f" for period {period}" if period else ""
        self.inputs.body(body)
        match body:
            case m.TargetsDraftBody(plan=plan):
                return f"drafted {len(plan.ids)} targets ({', '.join(plan.ids)})", {}
            case m.TargetsApproveBody(
                decision="approve", dialogue=PerformanceDialogue(held_on=held, agreed=agreed)
            ):
                said = "agreed" if agreed else "not agreed"
                return f"approved the targets after the dialogue of {held} ({said})", {
                    "dialogue_held_on": held.isoformat(),
                    "dialogue_agreed": agreed,
                }
            case m.TargetsApproveBody(decision="approve"):
                return "approved the targets", {}
            case m.TargetsApproveBody(comment=comment):
                return f"returned the targets: {excerpt(comment)}", {}
            case m.SelfReportBody(report=report):
                values = {x.target_id: x.value for x in report.realisations}
                files = sum(len(x.evidence) for x in report.realisations)
                says = f"self-report{at}: {len(values)} realisations, {files} evidence files"
                return says, {"period": period, "realisations": values}
            case m.FeedbackBody(feedback=Feedback(rating=PeriodRating() as rating)):
                grade = rating.grade.value
                return f"feedback{at}, rated {grade}", {"period": period, "grade": grade}
            case m.FeedbackBody():
                return f"feedback{at}", {"period": period}
            case m.PeerFeedbackBody(answers=answers) if self.answers:
                scores = {d.value: s for d, s in answers.scores.items()}
                mean = round(sum(scores.values()) / len(scores), 2)
                return f"answered the peer survey (mean {mean})", {"scores": scores}
            case m.PeerFeedbackBody() if self.reveal:  # who and when, not what
                return "answered the peer survey", {}
            case m.PeerFeedbackBody():
                return "a peer answered the survey", {}
            case m.ReviewBody(review=review):
                return self._review(review)
            case m.AppealDecideBody(decision="change", grade=grade, reason=reason):
                return f"changed the grade to {grade}: {excerpt(reason)}", {"grade": grade}
            case m.AppealDecideBody(reason=reason):
                return f"upheld the grade: {excerpt(reason)}", {}
            case m.MentorshipAcceptBody(accept=accept):
                return f"{'accepted' if accept else 'declined'} the mentorship", {}
        return str(body.kind), {}

    def _review(self, review: Review) -> tuple[str, dict[str, Any]]:
        detail = review.model_dump(mode="json", exclude={"comment"})
        try:
            a = self.inputs.grade(review)
        except DomainError as e:
            return f"review that cannot be graded: {e}", detail
        if a is None:
            return f"review: {len(review.target_ratings)} targets rated", detail
        capped = " (capped by the community score)" if a.behaviour_capped else ""
        detail["assessment"] = a.model_dump(mode="json")
        says = f"review: results {a.results}, behaviour {a.behaviour}{capped} → grade {a.grade}"
        return says, detail
