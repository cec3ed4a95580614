"""The tasks of one appraisal as the workflow holds them: deterministic, no I/O, serialisable."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from appraisal_engine.domain.records import TaskRecord, TaskStatus
from appraisal_engine.domain.tasks import TaskKind
from appraisal_engine.workflows.messages import TaskBody


@dataclass
class Task:
    """One human step, with its deadline bookkeeping."""

    id: str
    kind: TaskKind
    assignee: str
    opened_at: datetime
    due_at: datetime
    period: int | None = None
    detail: dict[str, Any] = field(default_factory=dict)
    status: TaskStatus = TaskStatus.OPEN
    closed_at: datetime | None = None
    completed_by: str | None = None
    body: TaskBody | None = None
    escalated: bool = False
    reminded: bool = False
    overdue: bool = False
    fallback_at: datetime | None = None
    replaced_by: str | None = None
    version: int = 0

    @property
    def open(self) -> bool:
        """Still waiting for its assignee."""
        return self.status is TaskStatus.OPEN

    def close(self, status: TaskStatus, at: datetime, by: str | None = None) -> None:
        """Close it once; the caller writes the inbox."""
        self.status, self.closed_at, self.completed_by = status, at, by
        self.version += 1

    def move_deadline(self, due_at: datetime) -> None:
        """A new deadline restarts its reminder, escalation and fallback."""
        self.due_at = due_at
        self.reminded = self.escalated = self.overdue = False
        self.fallback_at = None
        self.version += 1


@dataclass
class TaskBook:
    """All tasks of an appraisal, numbered in the order the workflow opened them."""

    appraisal_id: str
    cycle_id: str | None
    employee_nip: str
    tasks: dict[str, Task] = field(default_factory=dict)

    def open(
        self,
        kind: TaskKind,
        assignee: str,
        now: datetime,
        due_at: datetime,
        *,
        period: int | None = None,
        detail: dict[str, Any] | None = None,
    ) -> Task:
        """Add an open task with the next id."""
        task = Task(
            id=f"{self.appraisal_id}-t{len(self.tasks) + 1}",
            kind=kind,
            assignee=assignee,
            opened_at=now,
            due_at=due_at,
            period=period,
            detail=dict(detail or {}),
        )
        self.tasks[task.id] = task
        return task

    def supersede(self, task: Task, assignee: str, now: datetime, due_at: datetime) -> Task:
        """Move an open task to someone else: the old one closes, a new one opens."""
        new = self.open(task.kind, assignee, now, due_at, period=task.period, detail=task.detail)
        task.close(TaskStatus.SUPERSEDED, now)
        task.replaced_by = new.id
        return new

    def get(self, task_id: str) -> Task | None:
        """A task by id."""
        return self.tasks.get(task_id)

    def open_tasks(self) -> list[Task]:
        """Tasks still waiting, in opening order."""
        return [t for t in self.tasks.values() if t.open]

    def assignees(self) -> list[str]:
        """Who has an open task here, for the search attribute."""
        return sorted({t.assignee for t in self.open_tasks()})

    def record(self, task: Task) -> TaskRecord:
        """The inbox row of a task."""
        return TaskRecord(
            id=task.id,
            appraisal_id=self.appraisal_id,
            cycle_id=self.cycle_id,
            employee_nip=self.employee_nip,
            kind=task.kind,
            assignee_nip=task.assignee,
            status=task.status,
            opened_at=task.opened_at,
            due_at=task.due_at,
            closed_at=task.closed_at,
            completed_by=task.completed_by,
            escalated=task.escalated,
            period=task.period,
            detail=task.detail,
        )
