"""AppraisalWorkflow: one employee's appraisal year, from target setting to the follow-up, and
the messages the employee, the assignees, HR and the cycle send it."""

from __future__ import annotations

import asyncio

from temporalio import workflow
from temporalio.exceptions import ApplicationError

with workflow.unsafe.imports_passed_through():
    from appraisal_engine.domain.appeals import appeal_hearer
    from appraisal_engine.domain.audit_kinds import (
        APPEAL_FILED,
        APPRAISAL_CANCELLED,
        APPRAISAL_REASSIGNED,
        TASK_COMPLETED,
        TASK_DEADLINE_EXTENDED,
    )
    from appraisal_engine.domain.errors import DomainError
    from appraisal_engine.domain.reassignment import handover_due, taken_over_by
    from appraisal_engine.domain.records import MentorStatus, TaskStatus
    from appraisal_engine.domain.stages import Stage
    from appraisal_engine.domain.tasks import TaskKind
    from appraisal_engine.workflows.appraisal import validation
    from appraisal_engine.workflows.appraisal.clock import Cancelled, Clock
    from appraisal_engine.workflows.appraisal.effects import ONE_WRITE_PER_STEP, Effects
    from appraisal_engine.workflows.appraisal.stages import Stages
    from appraisal_engine.workflows.appraisal.state import AppraisalYear
    from appraisal_engine.workflows.appraisal.summaries import summarise_body
    from appraisal_engine.workflows.appraisal.taskbook import Task
    from appraisal_engine.workflows.errors import POLICY_INCOMPLETE, TASK_CLOSED, reject
    from appraisal_engine.workflows.messages import (
        AppealFiled,
        AppealState,
        AppraisalInput,
        AppraisalResult,
        AppraisalState,
        CancelInput,
        CommunityScore,
        CompleteTaskInput,
        ExtendDeadlineInput,
        FileAppealInput,
        HrActionDone,
        PeerAnswers,
        ReassignInput,
        ReleaseGrade,
        SupervisorTargetsApproved,
        TaskCompleted,
        UnitRatingDecided,
    )


# Appraisals started after this patch with the appraiser as superior hand the appeal to the
# policy's appeals officer, or fail at once without one; those started before it replay as the
# appraiser-and-superior they were.
APPEALS_APART = "appeals-apart"
# Appraisals started after this patch count their policy's days on the organisation's clock:
# each period ends at its midnight, each deadline when its last day ends. Those started before
# it replay with exact durations from the moment a task opened.
ZONED_CALENDAR = "zoned-calendar"


@workflow.defn
class AppraisalWorkflow:
    """Targets -> monitoring -> peer input -> review -> calibration -> appeal -> outcome."""

    @workflow.init
    def __init__(self, inp: AppraisalInput) -> None:
        self._year = year = AppraisalYear.begin(inp, workflow.info().workflow_id, workflow.now())
        self._clock = Clock(lambda: year.cancelled)
        self._effects = Effects(year)
        self._stages = Stages(year, self._clock, self._effects)

    @workflow.run
    async def run(self, inp: AppraisalInput) -> AppraisalResult:
        """See the year through, stage by stage, unless HR cancels it."""
        if workflow.patched(ZONED_CALENDAR):
            self._year.count_local_days(workflow.now())
        if inp.supervisor_nip == inp.superior_nip and workflow.patched(APPEALS_APART):
            self._hear_appeals_apart()
        self._effects.publish()
        await self._effects.open_row()
        try:
            await self._stages.run()
        except Cancelled:
            pass
        except asyncio.CancelledError:
            # Cancelled through Temporal rather than by HR: still leave no open task behind.
            if not self._year.cancelled:
                await self._close_as_cancelled(None, "cancelled through Temporal")
            raise
        self._clock.finish()
        self._stages.settle_cascade()
        await workflow.wait_condition(workflow.all_handlers_finished)
        return self._year.result()

    def _hear_appeals_apart(self) -> None:
        """Started with the appraiser as superior (a cycle's launch never does that): the
        policy's appeals officer hears the appeal instead, or the appraisal does not start."""
        year = self._year
        try:
            year.superior_nip = appeal_hearer(
                year.policy.appeals_officer_nip,
                year.inp.employee_nip,
                year.supervisor_nip,
                year.superior_nip,
            )
        except DomainError as e:
            raise ApplicationError(str(e), type=POLICY_INCOMPLETE, non_retryable=True) from None

    # -- the employee's, the assignees' and HR's messages ----------------------------------
    @workflow.update
    async def complete_task(self, inp: CompleteTaskInput) -> TaskCompleted:
        """Complete a task with its kind's body; returns once the workflow has reacted."""
        book = self._year.book
        task = book.get(inp.task_id)
        if task is None or not task.open:  # a racing double submit lost after validation
            raise reject(TASK_CLOSED, "this task was completed by another request")
        if not workflow.patched(ONE_WRITE_PER_STEP):
            return await self._complete(task, inp)
        async with self._effects.one_write():
            return await self._complete(task, inp)

    async def _complete(self, task: Task, inp: CompleteTaskInput) -> TaskCompleted:
        """Close the task, log it, and wait until the year has reacted."""
        book = self._year.book
        task.body = inp.body
        task.close(TaskStatus.DONE, workflow.now(), inp.actor_nip)
        await self._effects.write_task(task)
        await self._effects.audit(
            TASK_COMPLETED,
            inp.actor_nip,
            {
                "task_id": task.id,
                "task_kind": task.kind.value,
                "period": task.period,
                **summarise_body(inp.body),
            },
            at=task.closed_at,
        )
        self._effects.publish()
        await workflow.wait_condition(lambda: self._clock.settled(task.id))
        return TaskCompleted(
            task=book.record(task),
            stage=self._year.stage,
            open_tasks=[book.record(t) for t in book.open_tasks() if t.assignee == inp.actor_nip],
        )

    @complete_task.validator
    def _check_complete_task(self, inp: CompleteTaskInput) -> None:
        validation.check_completion(self._year, inp, workflow.now())

    @workflow.update
    async def file_appeal(self, inp: FileAppealInput) -> AppealFiled:
        """The employee files a keberatan inside the window."""
        year = self._year
        assert year.grade_final is not None and year.appeal_deadline is not None
        year.appeal = appeal = AppealState(
            filed_at=workflow.now(),
            reason=inp.reason,
            deadline=year.appeal_deadline,
            grade_before=year.grade_final,
        )
        await self._effects.audit(APPEAL_FILED, inp.actor_nip, {"grade": year.grade_final})
        await workflow.wait_condition(lambda: year.appeal_task is not None or year.cancelled)
        await self._effects.flush()  # what a step gathering writes took from this one
        return AppealFiled(filed_at=appeal.filed_at, decide_task_id=year.appeal_task)

    @file_appeal.validator
    def _check_file_appeal(self, inp: FileAppealInput) -> None:
        validation.check_file_appeal(self._year, inp, workflow.now())

    @workflow.update
    async def extend_deadline(self, inp: ExtendDeadlineInput) -> HrActionDone:
        """HR moves an open task's deadline; reminders and escalation start over."""
        year = self._year
        task = year.book.tasks[inp.task_id]
        task.move_deadline(inp.due_at)
        year.flags = [f for f in year.flags if f != f"overdue:{task.kind.value}"]
        await self._effects.write_task(task)
        await self._effects.audit(
            TASK_DEADLINE_EXTENDED,
            inp.actor_nip,
            {"task_id": task.id, "due_at": inp.due_at.isoformat(), "reason": inp.reason},
        )
        await self._effects.flush()  # what a step gathering writes took from this one
        return HrActionDone(stage=year.stage, tasks=[year.book.record(task)])

    @extend_deadline.validator
    def _check_extend_deadline(self, inp: ExtendDeadlineInput) -> None:
        validation.check_extend_deadline(self._year, inp, workflow.now())

    @workflow.update
    async def reassign(self, inp: ReassignInput) -> HrActionDone:
        """HR moves the appraisal to a new supervisor; their open tasks move with it."""
        year = self._year
        before = year.reassign(inp.supervisor_nip, inp.superior_nip)
        after = year.appraisers()
        now = workflow.now()
        changed: list[Task] = []
        for task in year.book.open_tasks():
            to = taken_over_by(
                task.kind, task.assignee, escalated=task.escalated, before=before, after=after
            )
            if to is None:
                continue
            due = handover_due(task.due_at, now, year.policy.rule(task.kind))
            new = year.book.supersede(task, to, now, due)
            if task.kind is TaskKind.APPEAL_DECIDE:
                year.appeal_task = new.id
            changed += [task, new]
        for task in changed:
            await self._effects.write_task(task)
        self._effects.publish()
        await self._effects.sync()
        await self._effects.audit(
            APPRAISAL_REASSIGNED,
            inp.actor_nip,
            {
                "from": before.supervisor_nip,
                "to": year.supervisor_nip,
                "superior": year.superior_nip,
                "moved_tasks": [t.id for t in changed if t.status is TaskStatus.SUPERSEDED],
                "reason": inp.reason,
            },
        )
        await self._effects.flush()  # what a step gathering writes took from this one
        return HrActionDone(stage=year.stage, tasks=[year.book.record(t) for t in changed])

    @reassign.validator
    def _check_reassign(self, inp: ReassignInput) -> None:
        validation.check_reassign(self._year, inp)

    @workflow.update
    async def cancel(self, inp: CancelInput) -> HrActionDone:
        """HR ends the appraisal at any stage; every open task is cancelled."""
        closed = await self._close_as_cancelled(inp.actor_nip, inp.reason)
        await self._effects.flush()  # what a step gathering writes took from this one
        return HrActionDone(
            stage=self._year.stage, tasks=[self._year.book.record(t) for t in closed]
        )

    @cancel.validator
    def _check_cancel(self, inp: CancelInput) -> None:
        validation.check_cancel(self._year)

    async def _close_as_cancelled(self, actor: str | None, reason: str) -> list[Task]:
        """Cancel every open task, free a mentor's offered place, and record why."""
        year, effects = self._year, self._effects
        year.cancel_reason = reason
        now = workflow.now()
        closed = year.book.open_tasks()
        for task in closed:
            task.close(TaskStatus.CANCELLED, now)
            await effects.write_task(task)
        if year.mentor_status is MentorStatus.OFFERED:
            year.mentor_nip, year.mentor_status = None, MentorStatus.NONE
            await effects.record_outcome()
        year.stage = Stage.CANCELLED
        effects.publish()
        await effects.sync()
        await effects.report_progress()
        await effects.audit(APPRAISAL_CANCELLED, actor, {"reason": reason})
        return closed

    # -- signals from other workflows -------------------------------------------------------
    @workflow.signal
    def supervisor_targets_approved(self, msg: SupervisorTargetsApproved) -> None:
        """The supervisor's plan is approved: drafting may start, hanging from its targets."""
        year = self._year
        if msg.supervisor_nip == year.supervisor_nip and year.awaiting_parents:
            year.parents = list(msg.targets)
            year.awaiting_parents = False

    @workflow.signal
    def release_grade(self, msg: ReleaseGrade) -> None:
        """The cycle releases the calibrated grade."""
        # Kept even when it comes early: calibration will find it waiting.
        finished = (Stage.APPEAL, Stage.OUTCOME, Stage.DONE, Stage.CANCELLED)
        if self._year.release is None and self._year.stage not in finished:
            self._year.release = msg
        else:
            workflow.logger.warning("grade release ignored in stage %s", self._year.stage.value)

    @workflow.signal
    def unit_rating_decided(self, msg: UnitRatingDecided) -> None:
        """The unit's decided rating, for its head's review; the latest before it counts."""
        if msg.unit_code == self._year.inp.unit_code and self._year.review is None:
            self._year.unit_rating = msg.rating

    @workflow.signal
    def community_score(self, msg: CommunityScore) -> None:
        """The unit's citizen-satisfaction score, before the review is done; kept only for a
        unit that serves citizens under the policy (every unit unless it lists them)."""
        year = self._year
        ours = msg.unit_code == year.inp.unit_code
        if ours and year.review is None and year.policy.community.serves_citizens(msg.unit_code):
            year.community_score = msg.score

    # -- queries ---------------------------------------------------------------------------
    @workflow.query
    def state(self) -> AppraisalState:
        """The full live state."""
        return self._year.view(self._clock.next_wakeup())

    @workflow.query
    def peer_answers(self) -> PeerAnswers:
        """Raw peer answers with the peers' NIPs; the API shows them to auditors only."""
        return PeerAnswers(answers=dict(self._year.peer_answers))
