"""Which recorded decisions the employee is told of: each is an audit event of the appraisal
(the step's projection), so its notice is written with the audit row, once per cause."""

from __future__ import annotations

from appraisal_engine.domain.audit_kinds import (
    APPEAL_DECIDED,
    GRADE_RELEASED,
    OUTCOME_DECIDED,
    TASK_COMPLETED,
)
from appraisal_engine.domain.notices import Decision
from appraisal_engine.domain.outcome import OutcomeKind
from appraisal_engine.domain.records import AuditEvent
from appraisal_engine.domain.tasks import TaskKind

# Decisions taken once in an appraisal's year: the appraisal itself is their cause.
_ONCE_A_YEAR = {
    GRADE_RELEASED: Decision.GRADE_RELEASED,
    APPEAL_DECIDED: Decision.APPEAL_DECIDED,
}


def decision_of(event: AuditEvent) -> tuple[Decision, str] | None:
    """The decision `event` records for the employee, with the id of its cause; None for any
    other event. Targets may be returned several times: each approval task is its own cause.
    A mentorship is told once a mentor has accepted (the offer itself is the mentor's task)."""
    payload, appraisal = event.payload, event.appraisal_id
    if appraisal is None:
        return None
    if event.kind == TASK_COMPLETED and payload.get("task_kind") == TaskKind.TARGETS_APPROVE:
        approved = payload.get("decision") == "approve"
        decision = Decision.TARGETS_APPROVED if approved else Decision.TARGETS_RETURNED
        return decision, str(payload["task_id"])
    if event.kind in _ONCE_A_YEAR:
        return _ONCE_A_YEAR[event.kind], appraisal
    mentored = payload.get("kind") == OutcomeKind.MENTORSHIP and payload.get("mentor_nip")
    if event.kind == OUTCOME_DECIDED and mentored:
        return Decision.MENTORSHIP_ARRANGED, appraisal
    return None
