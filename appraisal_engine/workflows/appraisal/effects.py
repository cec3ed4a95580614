"""What the year writes and tells: the inbox and read model, the audit log, notices, outcomes,
its search attributes and its progress to the cycle."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from itertools import count
from typing import Any, TypeVar

from temporalio import workflow
from temporalio.exceptions import ActivityError, ApplicationError

from appraisal_engine.domain.matrix import PlanRecord
from appraisal_engine.domain.projection import StepProjection
from appraisal_engine.domain.records import (
    AppraisalRecord,
    AuditEvent,
    CascadeRequest,
    MentorMatch,
    MentorRequest,
    Notification,
    NotificationKind,
    OutcomeRecord,
    TaskRecord,
)
from appraisal_engine.domain.stages import Stage
from appraisal_engine.workflows import io
from appraisal_engine.workflows import search_attributes as sa
from appraisal_engine.workflows.appraisal.state import AppraisalYear
from appraisal_engine.workflows.appraisal.taskbook import Task
from appraisal_engine.workflows.cycle import CycleWorkflow
from appraisal_engine.workflows.cycle_messages import AppraisalProgress

T = TypeVar("T")

AUDIT_AFTER_COMMIT = "audit-after-commit"
"""Patch: the audit log is appended by an activity, scheduled only by a committed workflow task."""

ONE_WRITE_PER_STEP = "one-write-per-step"
"""Patch: a completed task's step (the rows it closes and opens, the read model, the outcome, the
audit events) is written by one activity in one transaction, scheduled by a committed workflow
task, instead of a local activity per row and an activity per event."""


class Effects:
    """The year's activities, one write at a time, and what it has told the outside so far."""

    def __init__(self, year: AppraisalYear) -> None:
        info = workflow.info()
        self._year = year
        self._run_id = info.run_id
        self._lock = asyncio.Lock()
        self._audit_seq = count(1)
        self._reported = Stage.TARGETS  # the cycle counts every launched appraisal in targets
        # Steps gathering their writes (ONE_WRITE_PER_STEP), what they gathered, and whether a
        # gathered step is being written now.
        self._steps = 0
        self._tasks: dict[str, TaskRecord] = {}
        self._appraisal: AppraisalRecord | None = None
        self._outcome: OutcomeRecord | None = None
        self._events: list[AuditEvent] = []
        self._writing = False
        self._moved = False  # a gathering step changed what the search attributes show
        # Attributes set at start need no upsert of their own.
        started_with = info.typed_search_attributes
        self._published: dict[str, object] = {
            key.name: value for key in sa.ALL_KEYS if (value := started_with.get(key)) is not None
        }

    async def _io(self, name: str, arg: Any, result_type: type[T] | None = None) -> T:
        # One write at a time, in order, so the read model never goes backwards. The lock is
        # load-bearing twice over: concurrent local activities also do not replay reliably in
        # this SDK version. Writes retry until the database answers (see io.STORE_RETRY).
        async with self._lock:
            return await workflow.execute_local_activity(  # type: ignore[no-any-return]
                name,
                arg,
                result_type=result_type,
                start_to_close_timeout=io.STORE_TIMEOUT,
                retry_policy=io.STORE_RETRY,
            )

    @asynccontextmanager
    async def one_write(self) -> AsyncIterator[None]:
        """Gather every write made until the block ends (the step's own and the year's in
        reaction to it, whichever coroutine makes them), then write them in one activity: one
        transaction, so the inbox, the read model and the audit log never disagree.

        The activity, not a local one, because the audit log may hold only decisions of
        committed workflow tasks (see AUDIT_AFTER_COMMIT); the rows ride with it."""
        self._steps += 1
        try:
            yield
        finally:
            try:
                # The search attributes once per step, as the step leaves them: closing a task
                # and opening the next would each upsert them otherwise.
                self._publish_moved()
                await self.flush()
                self._publish_moved()  # what moved while the step was being written
            finally:
                self._steps -= 1

    def _publish_moved(self) -> None:
        if self._moved:
            self._moved = False
            self._upsert()

    def _gathered(self) -> StepProjection | None:
        """What was gathered since the last write, taken; None when nothing was."""
        if not self._pending():
            return None
        step = StepProjection(
            tasks=list(self._tasks.values()),
            appraisal=self._appraisal,
            outcome=self._outcome,
            events=self._events,
        )
        self._tasks, self._appraisal, self._outcome, self._events = {}, None, None, []
        return step

    def _pending(self) -> bool:
        """Whether anything gathered waits to be written."""
        return bool(self._tasks or self._events) or (self._appraisal, self._outcome) != (None, None)

    async def flush(self) -> None:
        """Write what the steps gathered so far, and wait for a write of gathered rows under
        way; returns at once (scheduling nothing) when there is neither."""
        while self._pending() or self._writing:
            async with self._lock:
                step = self._gathered()
                if step is None:
                    continue  # another flush wrote them while this one waited
                self._writing = True
                try:
                    await workflow.execute_activity(
                        io.PROJECT_STEP,
                        step,
                        start_to_close_timeout=io.STORE_TIMEOUT,
                        retry_policy=io.STORE_RETRY,
                    )
                finally:
                    self._writing = False

    async def write_task(self, task: Task) -> None:
        """Write a task's inbox row."""
        record = self._year.book.record(task)
        if self._steps:
            self._tasks[task.id] = record
            return
        await self._io(io.UPSERT_TASK, record)

    async def open_row(self) -> None:
        """Write the opening read-model row, unless the cycle's launch stored it already.

        The launch stores a whole batch's rows in a few statements: one write per appraisal
        less, on the launch's busiest path. No patch guards this: the branch follows the input
        alone, and code older than `row_stored` cannot decode an input that sets it. A reset
        run writes the row again, since what an earlier run wrote may have moved on."""
        info = workflow.info()
        if self._year.inp.row_stored and info.run_id == info.first_execution_run_id:
            return
        await self.sync()

    async def sync(self) -> None:
        """Write the appraisal's read-model row."""
        record = self._year.record(workflow.now())
        if self._steps:
            self._appraisal = record
            return
        await self._io(io.SYNC_APPRAISAL, record)

    async def record_outcome(self) -> None:
        """Write the outcome as decided so far, with the mentor's place in it."""
        year = self._year
        assert year.outcome is not None
        record = OutcomeRecord(
            **year.outcome.model_dump(),
            appraisal_id=year.appraisal_id,
            cycle_id=year.inp.cycle_id,
            employee_nip=year.inp.employee_nip,
            unit_code=year.inp.unit_code,
            mentor_nip=year.mentor_nip,
            mentor_status=year.mentor_status,
            decided_at=workflow.now(),
        )
        if self._steps:
            self._outcome = record
            return
        await self._io(io.RECORD_OUTCOME, record)

    async def record_plan(self) -> None:
        """Write the approved plan for the unit's role-result matrix."""
        year = self._year
        assert year.plan is not None
        record = PlanRecord(
            appraisal_id=year.appraisal_id,
            cycle_id=year.inp.cycle_id,
            unit_code=year.inp.unit_code,
            employee_nip=year.inp.employee_nip,
            supervisor_nip=year.supervisor_nip,
            approved_at=workflow.now(),
            targets=list(year.plan.targets),
        )
        await self._io(io.RECORD_PLAN, record)

    async def match_mentor(self, request: MentorRequest) -> MentorMatch:
        """The next mentor with room for the employee, if any."""
        # The reservation reads and updates the outcome's row: a step's gathered row first.
        await self.flush()
        return await self._io(io.MATCH_MENTOR, request, MentorMatch)

    def cascade(self, request: CascadeRequest) -> asyncio.Future[Any]:
        """Hand the approved targets to the subordinates' appraisals, in the background."""
        return asyncio.ensure_future(
            workflow.execute_activity(
                io.CASCADE_TARGETS,
                request,
                start_to_close_timeout=io.STORE_TIMEOUT,
                schedule_to_close_timeout=io.CASCADE_DEADLINE,
                retry_policy=io.CASCADE_RETRY,
            )
        )

    async def notify(self, kind: NotificationKind, task: Task, recipients: list[str]) -> None:
        """Send a notice about a task; a notice that cannot be delivered is logged, not fatal."""
        note = Notification(
            kind=kind,
            task_id=task.id,
            task_kind=task.kind,
            appraisal_id=self._year.appraisal_id,
            recipients=recipients,
            due_at=task.due_at,
        )
        # The notice reads the rows it tells of (an escalation's task): written first.
        await self.flush()
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

    async def audit(
        self, kind: str, actor: str | None, payload: dict[str, Any], at: datetime | None = None
    ) -> None:
        """Append a decision to the audit log, at `at` (when it was taken) or now."""
        after_commit = workflow.patched(AUDIT_AFTER_COMMIT)
        event = AuditEvent(
            event_id=f"{self._run_id}#{next(self._audit_seq)}",
            at=(at if after_commit else None) or workflow.now(),
            actor_nip=actor,
            kind=kind,
            appraisal_id=self._year.appraisal_id,
            cycle_id=self._year.inp.cycle_id,
            payload=payload,
        )
        if not after_commit:
            await self._io(io.APPEND_AUDIT, event)
            return
        if self._steps:
            self._events.append(event)
            return
        # Not a local activity: the server may refuse a workflow task's completion (a newer
        # task superseded it, as concurrent updates do), and what its local activities wrote
        # stays written while the run replays from its history and numbers its events anew.
        # An upsert is rewritten by the replay; an append is not, so the log kept rows for
        # decisions recorded under another number, at another time. An activity is scheduled
        # only by a workflow task the server accepted, so each row is a committed decision,
        # and its event_id is the same on every retry.
        async with self._lock:
            await workflow.execute_activity(
                io.APPEND_AUDIT,
                event,
                start_to_close_timeout=io.STORE_TIMEOUT,
                retry_policy=io.STORE_RETRY,
            )

    def publish(self) -> None:
        """Keep the search attributes current; upsert only what changed (a step gathering its
        writes upserts once, at its end)."""
        if self._steps:
            self._moved = True
            return
        self._upsert()

    def _upsert(self) -> None:
        year = self._year
        wanted: dict[str, object] = {
            sa.CYCLE.name: year.inp.cycle_id or "",
            sa.UNIT.name: year.inp.unit_code,
            sa.EMPLOYEE.name: year.inp.employee_nip,
            sa.STAGE.name: year.stage.value,
            sa.GRADE.name: year.grade_final or "",
            sa.ASSIGNEES.name: year.book.assignees(),
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

    async def report_progress(self) -> None:
        """Tell the cycle, if there is one, that this appraisal moved on since the last report.

        Each move is reported once, from the stage last reported: a cancellation that lands
        while a stage change is still being written is never counted twice."""
        year = self._year
        cycle = year.inp.cycle_workflow_id
        previous, current = self._reported, year.stage
        if cycle is None or previous is current:
            return
        self._reported = current
        await self.flush()  # the cycle may read the row it is told of
        progress = AppraisalProgress(
            appraisal_id=year.appraisal_id,
            unit_code=year.inp.unit_code,
            previous_stage=previous.value,
            stage=current.value,
            grade_computed=year.grade_computed,
            grade_final=year.grade_final,
        )
        try:
            await workflow.get_external_workflow_handle(cycle).signal(
                CycleWorkflow.appraisal_progress, progress
            )
        except ApplicationError:  # the cycle is gone: counters are advisory, the year is not
            workflow.logger.warning("progress of %s not delivered to %s", year.appraisal_id, cycle)
