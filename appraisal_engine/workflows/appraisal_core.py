"""The machinery under AppraisalWorkflow: waiting, task deadlines, and writing the read model."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from datetime import datetime
from itertools import count
from typing import Any, TypeVar

from temporalio import workflow
from temporalio.exceptions import ActivityError, ApplicationError

with workflow.unsafe.imports_passed_through():
    from appraisal_engine.domain.calendar import days
    from appraisal_engine.domain.ratings import Grade
    from appraisal_engine.domain.records import (
        AppraisalRecord,
        AppraisalStatus,
        AuditEvent,
        Notification,
        NotificationKind,
        TaskStatus,
    )
    from appraisal_engine.domain.review import Assessment
    from appraisal_engine.domain.stages import Stage
    from appraisal_engine.domain.tasks import SUPERVISOR_KINDS, Fallback, TaskKind
    from appraisal_engine.workflows import io
    from appraisal_engine.workflows import search_attributes as sa
    from appraisal_engine.workflows.cycle_messages import AppraisalProgress
    from appraisal_engine.workflows.messages import AppraisalInput
    from appraisal_engine.workflows.taskbook import Task, TaskBook

T = TypeVar("T")

AUDIT_AFTER_COMMIT = "audit-after-commit"
"""Patch: the audit log is appended by an activity, scheduled only by a committed workflow task."""


class Cancelled(Exception):
    """Raised inside the year's coroutines once HR has cancelled the appraisal."""


class AppraisalCore:
    """State and primitives shared by the stages and the message handlers."""

    def _setup(self, inp: AppraisalInput) -> None:
        info = workflow.info()
        self._inp, self._policy = inp, inp.policy
        self._id, self._run_id = info.workflow_id, info.run_id
        self._stage = Stage.TARGETS
        self._reported = Stage.TARGETS  # the cycle counts every launched appraisal in targets
        self._supervisor, self._superior = inp.supervisor_nip, inp.superior_nip
        self._book = TaskBook(self._id, inp.cycle_id, inp.employee_nip)
        self._flags: list[str] = []
        self._assessment: Assessment | None = None
        self._grade_final: Grade | None = None
        self._cancelled = False
        self._cancel_reason: str | None = None
        self._io_lock = asyncio.Lock()
        self._audit_seq = count(1)
        self._timers: dict[int, datetime] = {}
        self._timer_ids = count(1)
        self._running = 1  # coroutines of the year not blocked in _wait
        # Attributes set at start need no upsert of their own.
        started_with = info.typed_search_attributes
        self._published: dict[str, object] = {
            key.name: value for key in sa.ALL_KEYS if (value := started_with.get(key)) is not None
        }

    # -- waiting ---------------------------------------------------------------------------
    async def _wait(self, cond: Callable[[], bool], until: datetime | None = None) -> bool:
        """Wait for `cond` (True) or `until` (False); raise Cancelled when HR cancels."""
        if self._cancelled:
            raise Cancelled
        if cond():
            return True
        timeout: float | None = None
        if until is not None:
            timeout = (until - workflow.now()).total_seconds()
            if timeout <= 0:
                return False
        token = next(self._timer_ids)
        if until is not None:
            self._timers[token] = until
        self._running -= 1
        try:
            await workflow.wait_condition(lambda: cond() or self._cancelled, timeout=timeout)
        except TimeoutError:
            if self._cancelled:
                raise Cancelled from None
            return False
        finally:
            self._running += 1
            self._timers.pop(token, None)
        if self._cancelled:
            raise Cancelled
        return True

    async def _fork(self, coros: list[Coroutine[Any, Any, T]]) -> list[T]:
        """Run coroutines side by side; while they run, this one counts as waiting."""
        if not coros:
            return []

        async def strand(c: Coroutine[Any, Any, T]) -> T:
            try:
                return await c
            finally:
                self._running -= 1

        self._running += len(coros) - 1
        try:
            return list(await asyncio.gather(*(strand(c) for c in coros)))
        finally:
            self._running += 1

    def _settled(self, task: Task) -> bool:
        """The workflow has reacted to the task's closing and is waiting again."""
        return task.observed and self._running <= 0

    # -- tasks -----------------------------------------------------------------------------
    async def _run_task(
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
        if self._cancelled:
            raise Cancelled
        now = workflow.now()
        rule = self._policy.rule(kind)
        task = self._book.open(
            kind, assignee, now, now + days(rule.due_days), period=period, detail=detail
        )
        await self._write_task(task)
        self._publish()
        if on_open is not None:
            on_open(task)
        return await self._see_through(task)

    async def _see_through(self, task: Task) -> Task:
        while True:
            if self._cancelled:  # the task was closed by the cancellation, not answered
                raise Cancelled
            if task.status is TaskStatus.SUPERSEDED and task.replaced_by:
                task = self._book.tasks[task.replaced_by]
                continue
            if not task.open:
                task.observed = True
                return task
            rule = self._policy.rule(task.kind)
            version = task.version
            remind_at = task.due_at - days(rule.remind_before_days)
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

            changed = await self._wait(moved, at)
            # A timer and a completion can land together: only act on a task still as it was.
            if not changed and step is not None and not moved():
                await step(task)

    async def _remind(self, task: Task) -> None:
        task.reminded = True
        await self._notify(NotificationKind.REMINDER, task, [task.assignee])

    async def _escalate(self, task: Task) -> None:
        """At the deadline: the superior takes over the appraiser's task, or is told of others."""
        grace = days(self._policy.rule(task.kind).escalation_days)
        now = workflow.now()
        task.reminded = True
        if task.kind in SUPERVISOR_KINDS and task.assignee != self._superior:
            new = self._book.supersede(task, self._superior, now, task.due_at + grace)
            new.reminded = new.escalated = True
            new.fallback_at = new.due_at
            await self._write_task(task)
            await self._write_task(new)
            self._publish()
            await self._notify(NotificationKind.ESCALATION, new, [self._superior])
            await self._audit("task.escalated", None, {"task_id": task.id, "to_task": new.id})
            return
        task.escalated = True
        task.fallback_at = task.due_at + grace
        await self._write_task(task)
        watchers = sorted({self._supervisor, self._superior} - {task.assignee})
        await self._notify(NotificationKind.ESCALATION, task, watchers)
        await self._audit("task.escalated", None, {"task_id": task.id})

    async def _fall_back(self, task: Task) -> None:
        """After the grace: the policy's fallback; plans, approvals and reviews only wait."""
        task.overdue = True
        fallback = self._policy.rule(task.kind).fallback
        if fallback is Fallback.WAIT:
            self._flag(f"overdue:{task.kind.value}")
            await self._notify(
                NotificationKind.OVERDUE, task, sorted({task.assignee, self._superior})
            )
            await self._sync()
        else:
            task.close(TaskStatus.MISSING, workflow.now())
            await self._write_task(task)
            self._publish()
        await self._audit("task.overdue", None, {"task_id": task.id, "fallback": fallback.value})

    def _flag(self, flag: str) -> None:
        if flag not in self._flags:
            self._flags.append(flag)

    # -- I/O -------------------------------------------------------------------------------
    async def _io(self, name: str, arg: Any, result_type: type[T] | None = None) -> T:
        # One write at a time, in order, so the read model never goes backwards. The lock is
        # load-bearing twice over: concurrent local activities also do not replay reliably in
        # this SDK version. Writes retry until the database answers (see io.STORE_RETRY).
        async with self._io_lock:
            return await workflow.execute_local_activity(  # type: ignore[no-any-return]
                name,
                arg,
                result_type=result_type,
                start_to_close_timeout=io.STORE_TIMEOUT,
                retry_policy=io.STORE_RETRY,
            )

    async def _write_task(self, task: Task) -> None:
        await self._io(io.UPSERT_TASK, self._book.record(task))

    async def _notify(self, kind: NotificationKind, task: Task, recipients: list[str]) -> None:
        note = Notification(
            kind=kind,
            task_id=task.id,
            task_kind=task.kind,
            appraisal_id=self._id,
            recipients=recipients,
            due_at=task.due_at,
        )
        # A notice is worth a few tries, never a stuck year: an ordinary activity, outside the
        # write lock, given up on after its attempts.
        try:
            await workflow.execute_activity(
                io.NOTIFY,
                note,
                start_to_close_timeout=io.STORE_TIMEOUT,
                retry_policy=io.NOTIFY_RETRY,
            )
        except ActivityError:
            workflow.logger.warning("notice %s for task %s not delivered", kind.value, task.id)

    async def _audit(
        self, kind: str, actor: str | None, payload: dict[str, Any], at: datetime | None = None
    ) -> None:
        """Append a decision to the audit log, at `at` (when it was taken) or now."""
        after_commit = workflow.patched(AUDIT_AFTER_COMMIT)
        event = AuditEvent(
            event_id=f"{self._run_id}#{next(self._audit_seq)}",
            at=(at if after_commit else None) or workflow.now(),
            actor_nip=actor,
            kind=kind,
            appraisal_id=self._id,
            cycle_id=self._inp.cycle_id,
            payload=payload,
        )
        if not after_commit:
            await self._io(io.APPEND_AUDIT, event)
            return
        # Not a local activity: the server may refuse a workflow task's completion (a newer
        # task superseded it, as concurrent updates do), and what its local activities wrote
        # stays written while the run replays from its history and numbers its events anew.
        # An upsert is rewritten by the replay; an append is not, so the log kept rows for
        # decisions recorded under another number, at another time. An activity is scheduled
        # only by a workflow task the server accepted, so each row is a committed decision,
        # and its event_id is the same on every retry.
        async with self._io_lock:
            await workflow.execute_activity(
                io.APPEND_AUDIT,
                event,
                start_to_close_timeout=io.STORE_TIMEOUT,
                retry_policy=io.STORE_RETRY,
            )

    def _status(self) -> AppraisalStatus:
        if self._stage is Stage.CANCELLED:
            return AppraisalStatus.CANCELLED
        return AppraisalStatus.COMPLETED if self._stage is Stage.DONE else AppraisalStatus.RUNNING

    def _who(self) -> dict[str, Any]:
        """Whose appraisal this is and who appraises: the read model and the query share it."""
        return {
            "cycle_id": self._inp.cycle_id,
            "employee_nip": self._inp.employee_nip,
            "unit_code": self._inp.unit_code,
            "supervisor_nip": self._supervisor,
            "superior_nip": self._superior,
            "policy": self._policy.name,
        }

    async def _sync(self) -> None:
        """Write the appraisal's read-model row."""
        await self._io(
            io.SYNC_APPRAISAL,
            AppraisalRecord(
                id=self._id,
                **self._who(),
                stage=self._stage.value,
                status=self._status(),
                grade_computed=self._assessment.grade if self._assessment else None,
                grade_final=self._grade_final,
                flags=list(self._flags),
                updated_at=workflow.now(),
            ),
        )

    def _publish(self) -> None:
        """Keep the search attributes current; upsert only what changed."""
        wanted: dict[str, object] = {
            sa.CYCLE.name: self._inp.cycle_id or "",
            sa.UNIT.name: self._inp.unit_code,
            sa.EMPLOYEE.name: self._inp.employee_nip,
            sa.STAGE.name: self._stage.value,
            sa.GRADE.name: self._grade_final or "",
            sa.ASSIGNEES.name: self._book.assignees(),
        }
        updates = []
        for key in sa.ALL_KEYS:
            value = wanted[key.name]
            # An empty value and an absent attribute are the same thing: no upsert for it.
            if (self._published.get(key.name) or None) == (value or None):
                continue
            self._published[key.name] = value
            updates.append(key.value_set(value) if value else key.value_unset())  # type: ignore[arg-type]
        if updates:
            workflow.upsert_search_attributes(updates)

    async def _set_stage(self, stage: Stage) -> None:
        if self._cancelled:
            raise Cancelled
        self._stage = stage
        self._publish()
        await self._sync()
        await self._report_progress()

    async def _report_progress(self) -> None:
        """Tell the cycle, if there is one, that this appraisal moved on since the last report.

        Each move is reported once, from the stage last reported: a cancellation that lands
        while a stage change is still being written is never counted twice."""
        cycle = self._inp.cycle_workflow_id
        previous, current = self._reported, self._stage
        if cycle is None or previous is current:
            return
        self._reported = current
        progress = AppraisalProgress(
            appraisal_id=self._id,
            unit_code=self._inp.unit_code,
            previous_stage=previous.value,
            stage=current.value,
            grade_computed=self._assessment.grade if self._assessment else None,
            grade_final=self._grade_final,
        )
        try:
            await workflow.get_external_workflow_handle(cycle).signal(
                "appraisal_progress", progress
            )
        except ApplicationError:  # the cycle is gone: counters are advisory, the year is not
            workflow.logger.warning("progress of %s not delivered to %s", self._id, cycle)

    def _next_wakeup(self) -> datetime | None:
        return min(self._timers.values(), default=None)
