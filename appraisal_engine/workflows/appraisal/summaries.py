"""What of a task body goes into the audit log: decisions and numbers, never free text."""

from __future__ import annotations

from typing import Any

from appraisal_engine.domain.planning import PerformanceDialogue
from appraisal_engine.workflows.messages import (
    AppealDecideBody,
    FeedbackBody,
    MentorshipAcceptBody,
    PeerFeedbackBody,
    ReviewBody,
    SelfReportBody,
    TargetsApproveBody,
    TargetsDraftBody,
    TaskBody,
)


def summarise_body(body: TaskBody) -> dict[str, Any]:
    """A small, text-free summary of a completed task's body."""
    match body:
        case TargetsDraftBody(plan=plan):
            return {"targets": [t.id for t in plan.targets]}
        case TargetsApproveBody(
            decision=decision,
            dialogue=PerformanceDialogue(held_on=held, agreed=agreed),
            expectations=expected,
        ):
            return {
                "decision": decision,
                "dialogue_held_on": held.isoformat(),
                "dialogue_agreed": agreed,
                "expectations": sorted(d.value for d in expected),
            }
        case TargetsApproveBody(decision=decision):
            return {"decision": decision}
        case SelfReportBody(report=report):
            return {
                "realisations": {r.target_id: r.value for r in report.realisations},
                "evidence": sum(len(r.evidence) for r in report.realisations),
            }
        case FeedbackBody(feedback=feedback) if feedback.rating or feedback.indicators:
            said: dict[str, Any] = {}
            if feedback.rating is not None:
                said["period_grade"] = feedback.rating.grade.value
            if feedback.indicators is not None:
                # Discipline and attendance are numbers the grade is computed from.
                said["indicators"] = feedback.indicators.model_dump(mode="json")
            return said
        case FeedbackBody():
            return {}
        case PeerFeedbackBody():
            return {}  # nothing that could identify a peer's answers
        case ReviewBody(review=review):
            summary: dict[str, Any] = {
                "target_ratings": {k: v.value for k, v in review.target_ratings.items()},
                "behaviour_ratings": {
                    k.value: v.value for k, v in review.behaviour_ratings.items()
                },
            }
            if review.process_ratings:  # only where the policy appraises process
                summary["process_ratings"] = {k: v.value for k, v in review.process_ratings.items()}
            return summary
        case AppealDecideBody(decision=decision, grade=grade):
            return {"decision": decision, "grade": grade.value if grade else None}
        case MentorshipAcceptBody(accept=accept):
            return {"accept": accept}
    return {}
