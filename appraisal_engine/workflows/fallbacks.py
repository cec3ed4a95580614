"""Deadlines passed, in a run's history. Since the audit-after-commit patch the workflow records
each escalation and fallback as an audit event, scheduled as an activity with its content; a run
recorded before it appended them through local activities, whose input the history does not
keep, so there the fallbacks that send no notice can only be inferred from the timers."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from appraisal_engine.domain.calendar import days
from appraisal_engine.domain.policy import TaskRule
from appraisal_engine.domain.records import Notification
from appraisal_engine.domain.tasks import TaskKind
from appraisal_engine.workflows.appraisal.effects import AUDIT_AFTER_COMMIT
from appraisal_engine.workflows.history_records import HistoryRecord, Patched, Record

TIMER_SLACK = timedelta(seconds=1)  # a timer fires a moment after its instant, never before


def audited(records: Sequence[HistoryRecord]) -> bool:
    """Whether a run schedules its audit events as activities, so the history holds them."""
    return any(isinstance(r, Patched) and r.patch_id == AUDIT_AFTER_COMMIT for r in records)


class InferredFallbacks:
    """A run without audit events: each escalated task whose fallback acts (all but waiting,
    which sends its own notice) is watched until a timer fires at its instant, unless it was
    completed, moved, extended or cancelled first."""

    def __init__(self) -> None:
        self.pending: dict[str, tuple[TaskKind, datetime]] = {}
        self.firing: list[tuple[Record, str, TaskKind]] = []  # instants passed, not yet entered

    def escalated(self, note: Notification, rule: TaskRule, moved: bool) -> None:
        """An escalation notice: a moved task's new deadline is its fallback's instant."""
        due = note.due_at + (timedelta(0) if moved else days(rule.escalation_days))
        self.pending[note.task_id] = (note.task_kind, due)

    def timer(self, r: Record) -> None:
        for task_id, (kind, due) in list(self.pending.items()):
            if r.at + TIMER_SLACK >= due:
                del self.pending[task_id]
                self.firing.append((r, task_id, kind))

    def completed(self, task_id: str) -> None:
        """A completion accepted in the workflow task a timer woke wins over the fallback (the
        workflow acts only on a task still as it was): it cancels one already firing too."""
        self.pending.pop(task_id, None)
        self.firing = [f for f in self.firing if f[1] != task_id]

    def closed(self, task_id: str) -> None:
        """Extended or moved by HR: no fallback at the old instant."""
        self.pending.pop(task_id, None)

    def cancelled(self) -> None:
        self.pending.clear()

    def fired(self) -> list[tuple[Record, str, TaskKind]]:
        """The fallbacks whose instant passed, once each: (the timer, task id, task kind)."""
        fired, self.firing = self.firing, []
        return fired
