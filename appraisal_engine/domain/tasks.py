"""Task kinds: every human step of an appraisal year."""

from __future__ import annotations

from enum import StrEnum


class TaskKind(StrEnum):
    """What a task asks of its assignee."""

    TARGETS_DRAFT = "targets.draft"
    TARGETS_APPROVE = "targets.approve"
    SELF_REPORT = "self_report"
    FEEDBACK = "feedback"
    PEER_FEEDBACK = "peer_feedback"
    REVIEW = "review"
    APPEAL_DECIDE = "appeal.decide"
    MENTORSHIP_ACCEPT = "mentorship.accept"


SUPERVISOR_KINDS = frozenset({TaskKind.TARGETS_APPROVE, TaskKind.FEEDBACK, TaskKind.REVIEW})
"""Kinds the appraiser does: they move with a reassignment and escalate to the superior."""


class Fallback(StrEnum):
    """What happens when a task is still open after its deadline and the escalation grace."""

    RECORD_MISSING = "record_missing"  # close it as missing; the year goes on
    WAIT = "wait"  # flag it overdue and keep waiting (HR can extend, reassign or cancel)
    UPHOLD_GRADE = "uphold_grade"  # an undecided appeal leaves the grade as released
    NEXT_MENTOR = "next_mentor"  # an unanswered mentorship offer goes to the next candidate


ALLOWED_FALLBACKS: dict[TaskKind, frozenset[Fallback]] = {
    TaskKind.TARGETS_DRAFT: frozenset({Fallback.WAIT}),
    TaskKind.TARGETS_APPROVE: frozenset({Fallback.WAIT}),
    TaskKind.SELF_REPORT: frozenset({Fallback.RECORD_MISSING, Fallback.WAIT}),
    TaskKind.FEEDBACK: frozenset({Fallback.RECORD_MISSING, Fallback.WAIT}),
    TaskKind.PEER_FEEDBACK: frozenset({Fallback.RECORD_MISSING}),
    TaskKind.REVIEW: frozenset({Fallback.WAIT}),
    TaskKind.APPEAL_DECIDE: frozenset({Fallback.UPHOLD_GRADE, Fallback.WAIT}),
    TaskKind.MENTORSHIP_ACCEPT: frozenset({Fallback.NEXT_MENTOR}),
}
"""A plan, a review or an approval is never invented: those kinds can only wait."""
