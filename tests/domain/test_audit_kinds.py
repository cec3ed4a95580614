"""The audit kinds as stored: the chain and workflow histories hold them, so none may change."""

from __future__ import annotations

from appraisal_engine.domain import audit_kinds

STORED = {
    "TASK_COMPLETED": "task.completed",
    "TASK_DEADLINE_EXTENDED": "task.deadline_extended",
    "TASK_ESCALATED": "task.escalated",
    "TASK_OVERDUE": "task.overdue",
    "GRADE_COMPUTED": "grade.computed",
    "GRADE_RELEASED": "grade.released",
    "APPEAL_FILED": "appeal.filed",
    "APPEAL_DECIDED": "appeal.decided",
    "OUTCOME_DECIDED": "outcome.decided",
    "APPRAISAL_REASSIGNED": "appraisal.reassigned",
    "APPRAISAL_CANCELLED": "appraisal.cancelled",
    "CALIBRATION_REJECTED": "calibration.rejected",
    "CALIBRATION_RELEASED": "calibration.released",
    "COMMUNITY_SCORES": "community.scores",
    "UNIT_RATING_PROPOSED": "unit_rating.proposed",
    "UNIT_RATING_DECIDED": "unit_rating.decided",
    "AUDITOR_READ": "auditor.read",
    "DEVELOPMENT_PLANNED": "development.planned",
    "DEVELOPMENT_FOLLOWED_UP": "development.followed_up",
    "TELADAN_NOMINATED": "teladan.nominated",
}


def test_every_kind_is_spelled_as_stored() -> None:
    kinds = {name: value for name, value in vars(audit_kinds).items() if name.isupper()}
    assert kinds == STORED
