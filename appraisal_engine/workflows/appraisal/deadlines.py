"""A task's life: opened in the inbox, then seen through its reminder, its escalation at the
deadline and the policy's fallback after the grace, until it is closed."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from temporalio import workflow

from appraisal_engine.domain.audit_kinds import TASK_ESCALATED, TASK_OVERDUE
from appraisal_engine.domain.calendar import days
from appraisal_engine.domain.records import NotificationKind, TaskStatus
from appraisal_engine.domain.tasks import SUPERVISOR_KINDS, Fallback, TaskKind
from appraisal_engine.workflows.appraisal.clock import Cancelled, Clock
from appraisal_engine.workflows.appraisal.effects import Effects
from appraisal_engine.workflows.appraisal.state import AppraisalYear
from appraisal_engine.workflows.appraisal.taskbook import Task


class Deadlines:
    """Opens the year's tasks and keeps each to its deadlines."""

    def __init__(self, year: AppraisalYear, clock: Clock, effects: Effects) -> None:
        self._year, self._clock, self._effects = year, clock, effects

    async def run_task(
        self,
        kind: TaskKind,
        assignee: str,
        *,
        period: int | None = None,
        detail: dict[str, Any] | None = None,
        on_open: Callable[[Task], None] | None = None,
    ) -> Task:
        """Open a task, then see it through its deadlines until it is closed.

        `on_open` runs once the task is in the inbox, so whatever it announces can be read."""
        if self._year.cancelled:
            raise Cancelled
        now = workflow.now()
        task = self._year.book.open(
            kind, assignee, now, self._year.days.due(now, kind), period=period, detail=detail
        )
        await self._effects.write_task(task)
        self._effects.publish()
        if on_open is not None:
            on_open(task)
        return await self._see_through(task)

    async def _see_through(self, task: Task) -> Task:
        while True:
            if self._year.cancelled:  # the task was closed by the cancellation, not answered
                raise Cancelled
            if task.status is TaskStatus.SUPERSEDED and task.replaced_by:
                task = self._year.book.tasks[task.replaced_by]
                continue
            if not task.open:
                self._clock.observe(task.id)
                return task
            rule = self._year.policy.rule(task.kind)
            version = task.version
            remind_at = task.due_at - days(rule.remind_before_days)
            step: Callable[[Task], Awaitable[None]] | None
            if not task.reminded and rule.remind_before_days > 0:
                step, at = self._remind, remind_at
            elif not task.escalated:
                step, at = self._escalate, task.due_at
            elif not task.overdue:
                step, at = self._fall_back, task.fallback_at or task.due_at
            else:
                step, at = None, None

            def moved(t: Task = task, v: int = version) -> bool:
                return t.version != v or not t.open

            changed = await self._clock.wait(moved, at)
            # A timer and a completion can land together: only act on a task still as it was.
            if not changed and step is not None and not moved():
                await step(task)

    async def _remind(self, task: Task) -> None:
        task.reminded = True
        await self._effects.notify(NotificationKind.REMINDER, task, [task.assignee])

    async def _escalate(self, task: Task) -> None:
        """At the deadline: the superior takes over the appraiser's task, or is told of others."""
        year, effects = self._year, self._effects
        grace = year.policy.rule(task.kind).escalation_days
        now = workflow.now()
        task.reminded = True
        if task.kind in SUPERVISOR_KINDS and task.assignee != year.superior_nip:
            new = year.book.supersede(
                task, year.superior_nip, now, year.days.after(task.due_at, grace)
            )
            new.reminded = new.escalated = True
            new.fallback_at = new.due_at
            await effects.write_task(task)
            await effects.write_task(new)
            effects.publish()
            await effects.notify(NotificationKind.ESCALATION, new, [year.superior_nip])
            await effects.audit(TASK_ESCALATED, None, {"task_id": task.id, "to_task": new.id})
            return
        task.escalated = True
        task.fallback_at = year.days.after(task.due_at, grace)
        await effects.write_task(task)
        watchers = sorted({year.supervisor_nip, year.superior_nip} - {task.assignee})
        await effects.notify(NotificationKind.ESCALATION, task, watchers)
        await effects.audit(TASK_ESCALATED, None, {"task_id": task.id})

    async def _fall_back(self, task: Task) -> None:
        """After the grace: the policy's fallback; plans, approvals and reviews only wait."""
        year, effects = self._year, self._effects
        task.overdue = True
        fallback = year.policy.rule(task.kind).fallback
        if fallback is Fallback.WAIT:
            year.flag(f"overdue:{task.kind.value}")
            await effects.notify(
                NotificationKind.OVERDUE, task, sorted({task.assignee, year.superior_nip})
            )
            await effects.sync()
        else:
            task.close(TaskStatus.MISSING, workflow.now())
            await effects.write_task(task)
            effects.publish()
        await effects.audit(TASK_OVERDUE, None, {"task_id": task.id, "fallback": fallback.value})
