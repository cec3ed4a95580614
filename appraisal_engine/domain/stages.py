"""The stages of an appraisal's year, in order, and which stage each kind of task belongs to."""

from __future__ import annotations

from enum import StrEnum

from appraisal_engine.domain.tasks import TaskKind


class Stage(StrEnum):
    """Where an appraisal's year stands."""

    TARGETS = "targets"
    MONITORING = "monitoring"
    PEER_INPUT = "peer_input"
    REVIEW = "review"
    CALIBRATION = "calibration"
    APPEAL = "appeal"
    OUTCOME = "outcome"
    DONE = "done"
    CANCELLED = "cancelled"


# The stages an appraisal passes before its unit can be calibrated.
BEFORE_CALIBRATION = (Stage.TARGETS, Stage.MONITORING, Stage.PEER_INPUT, Stage.REVIEW)
# The stages a year ends in.
FINISHED = (Stage.DONE, Stage.CANCELLED)

STAGE_OF: dict[TaskKind, Stage] = {
    TaskKind.TARGETS_DRAFT: Stage.TARGETS,
    TaskKind.TARGETS_APPROVE: Stage.TARGETS,
    TaskKind.SELF_REPORT: Stage.MONITORING,
    TaskKind.FEEDBACK: Stage.MONITORING,
    TaskKind.PEER_FEEDBACK: Stage.PEER_INPUT,
    TaskKind.REVIEW: Stage.REVIEW,
    TaskKind.APPEAL_DECIDE: Stage.APPEAL,
    TaskKind.MENTORSHIP_ACCEPT: Stage.OUTCOME,
}
