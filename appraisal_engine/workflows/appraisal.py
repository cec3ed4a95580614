"""AppraisalWorkflow: one employee's appraisal year, from target setting to the follow-up."""

from __future__ import annotations

import asyncio
from typing import Any

from temporalio import workflow
from temporalio.exceptions import ApplicationError

with workflow.unsafe.imports_passed_through():
    from appraisal_engine.domain.appeals import appeal_hearer, check_chain
    from appraisal_engine.domain.calendar import days, period_ends
    from appraisal_engine.domain.errors import DomainError
    from appraisal_engine.domain.outcome import OutcomeDecision, OutcomeKind, decide_outcome
    from appraisal_engine.domain.peer import PeerFeedback, PeerSummary, summarise_peers
    from appraisal_engine.domain.records import (
        CascadeRequest,
        MentorMatch,
        MentorRequest,
        MentorStatus,
        OutcomeRecord,
        ParentTarget,
        TaskStatus,
    )
    from appraisal_engine.domain.review import Review, assess_under
    from appraisal_engine.domain.stages import Stage
    from appraisal_engine.domain.targets import TargetPlan
    from appraisal_engine.domain.tasks import SUPERVISOR_KINDS, TaskKind
    from appraisal_engine.workflows import io
    from appraisal_engine.workflows.appraisal_core import AppraisalCore, Cancelled
    from appraisal_engine.workflows.errors import (
        NOT_ALLOWED,
        POLICY_INCOMPLETE,
        TASK_CLOSED,
        UNKNOWN_TASK,
        WRONG_STAGE,
        reject,
    )
    from appraisal_engine.workflows.ids import appraisal_workflow_id
    from appraisal_engine.workflows.messages import (
        AppealDecideBody,
        AppealFiled,
        AppealState,
        AppraisalInput,
        AppraisalResult,
        AppraisalState,
        CancelInput,
        CommunityScore,
        CompleteTaskInput,
        ExtendDeadlineInput,
        FeedbackBody,
        FileAppealInput,
        HrActionDone,
        MentorshipAcceptBody,
        PeerAnswers,
        PeerFeedbackBody,
        PeriodState,
        ReassignInput,
        ReleaseGrade,
        ReviewBody,
        SelfReportBody,
        SupervisorTargetsApproved,
        TargetsApproveBody,
        TargetsDraftBody,
        TaskCompleted,
    )
    from appraisal_engine.workflows.opening import opening_record
    from appraisal_engine.workflows.summaries import summarise_body
    from appraisal_engine.workflows.taskbook import Task
    from appraisal_engine.workflows.validation import check_completion


# Appraisals started after this patch with the appraiser as superior hand the appeal to the
# policy's appeals officer, or fail at once without one; those started before it replay as the
# appraiser-and-superior they were.
APPEALS_APART = "appeals-apart"


@workflow.defn
class AppraisalWorkflow(AppraisalCore):
    """Targets -> monitoring -> peer input -> review -> calibration -> appeal -> outcome."""

    @workflow.init
    def __init__(self, inp: AppraisalInput) -> None:
        self._setup(inp)
        self._draft: TargetPlan | None = None
        self._plan: TargetPlan | None = None
        self._plan_returns: list[str] = []
        self._parents: list[ParentTarget] | None = None
        # Cascading holds the draft until the supervisor's own targets are approved.
        self._awaiting_parents = inp.policy.cascading and inp.supervisor_in_cycle
        self._cascade: asyncio.Future[Any] | None = None
        start = inp.year_start or workflow.now()
        ends = period_ends(start, inp.policy.report_period.per_year)
        self._periods = [PeriodState(period=k + 1, ends_at=e) for k, e in enumerate(ends)]
        self._peer_answers: dict[str, PeerFeedback] = {}
        self._peer_summary: PeerSummary | None = None
        self._community = inp.community_score
        self._review: Review | None = None
        self._release: ReleaseGrade | None = None
        self._appeal_deadline: Any = None
        self._appeal: AppealState | None = None
        self._appeal_task: str | None = None
        self._outcome: OutcomeDecision | None = None
        self._mentor: str | None = None
        self._mentor_status = MentorStatus.NONE

    @workflow.run
    async def run(self, inp: AppraisalInput) -> AppraisalResult:
        """See the year through, stage by stage, unless HR cancels it."""
        if inp.supervisor_nip == inp.superior_nip and workflow.patched(APPEALS_APART):
            self._hear_appeals_apart()
        self._publish()
        await self._open_row()
        try:
            await self._targets()
            await self._set_stage(Stage.MONITORING)
            await self._fork([self._period(p) for p in self._periods])
            peers = self._peers()
            if self._policy.peer.enabled and peers:
                await self._set_stage(Stage.PEER_INPUT)
                await self._peer_input(peers)
            await self._set_stage(Stage.REVIEW)
            await self._year_end_review()
            await self._set_stage(Stage.CALIBRATION)
            await self._calibration()
            await self._set_stage(Stage.APPEAL)
            await self._appeal_window()
            await self._set_stage(Stage.OUTCOME)
            await self._follow_up()
            await self._set_stage(Stage.DONE)
        except Cancelled:
            pass
        except asyncio.CancelledError:
            # Cancelled through Temporal rather than by HR: still leave no open task behind.
            if not self._cancelled:
                await self._close_as_cancelled(None, "cancelled through Temporal")
            raise
        self._running = 0
        self._settle_cascade()
        for task in self._book.tasks.values():
            task.observed = True
        await workflow.wait_condition(workflow.all_handlers_finished)
        return AppraisalResult(
            appraisal_id=self._id,
            stage=self._stage,
            grade_computed=self._assessment.grade if self._assessment else None,
            grade_final=self._grade_final,
            outcome=self._outcome,
            mentor_nip=self._mentor,
            flags=list(self._flags),
        )

    def _hear_appeals_apart(self) -> None:
        """Started with the appraiser as superior (a cycle's launch never does that): the
        policy's appeals officer hears the appeal instead, or the appraisal does not start."""
        try:
            superior = appeal_hearer(
                self._policy.appeals_officer_nip,
                self._inp.employee_nip,
                self._supervisor,
                self._superior,
            )
        except DomainError as e:
            raise ApplicationError(str(e), type=POLICY_INCOMPLETE, non_retryable=True) from None
        self._superior = superior
        self._inp = self._inp.model_copy(update={"superior_nip": superior})

    async def _open_row(self) -> None:
        """Write the opening read-model row, unless the cycle's launch stored it already.

        The launch stores a whole batch's rows in a few statements: one write per appraisal
        less, on the launch's busiest path. No patch guards this: the branch follows the input
        alone, and code older than `row_stored` cannot decode an input that sets it. A reset
        run writes the row again, since what an earlier run wrote may have moved on."""
        info = workflow.info()
        if self._inp.row_stored and info.run_id == info.first_execution_run_id:
            return
        await self._io(io.SYNC_APPRAISAL, opening_record(self._inp, self._id, workflow.now()))

    def _settle_cascade(self) -> None:
        if self._cascade is None:
            return
        if not self._cascade.done():
            self._cascade.cancel()
        elif self._cascade.exception() is not None:
            self._flag("cascade_failed")

    # -- stages ----------------------------------------------------------------------------
    async def _targets(self) -> None:
        """Draft, then approve or return, until approved; cascading waits for the supervisor.

        Not for ever: past the draft's own deadline, or after a reassignment, drafting starts
        without the supervisor's targets, and the appraisal says so in its flags."""
        if self._awaiting_parents:
            limit = workflow.now() + days(self._policy.rule(TaskKind.TARGETS_DRAFT).due_days)
            if not await self._wait(lambda: not self._awaiting_parents, until=limit):
                self._awaiting_parents = False
                self._flag("cascading_timed_out")
        comment: str | None = None
        while True:
            detail: dict[str, Any] = {"returned_with": comment}
            if self._parents is not None:
                detail["parent_targets"] = [p.model_dump() for p in self._parents]
            draft = await self._run_task(
                TaskKind.TARGETS_DRAFT, self._inp.employee_nip, detail=detail
            )
            assert isinstance(draft.body, TargetsDraftBody)
            self._draft = draft.body.plan
            decided = await self._run_task(
                TaskKind.TARGETS_APPROVE, self._supervisor, detail={"draft_task": draft.id}
            )
            assert isinstance(decided.body, TargetsApproveBody)
            if decided.body.decision == "approve":
                self._plan = self._draft
                break
            comment = decided.body.comment
            self._plan_returns.append(comment)
        if self._policy.cascading and self._inp.subordinate_nips and self._inp.cycle_id:
            request = CascadeRequest(
                supervisor_nip=self._inp.employee_nip,
                workflow_ids=[
                    appraisal_workflow_id(self._inp.cycle_id, n) for n in self._inp.subordinate_nips
                ],
                targets=[ParentTarget(id=t.id, rhk=t.rhk) for t in self._plan.targets],
            )
            self._cascade = asyncio.ensure_future(
                workflow.execute_activity(
                    io.CASCADE_TARGETS,
                    request,
                    start_to_close_timeout=io.STORE_TIMEOUT,
                    schedule_to_close_timeout=io.CASCADE_DEADLINE,
                    retry_policy=io.CASCADE_RETRY,
                )
            )

    async def _period(self, period: PeriodState) -> None:
        """One report period: wait for its end, then the self-report and the feedback on it."""
        await self._wait(lambda: False, until=period.ends_at)
        assert self._plan is not None
        report = await self._run_task(
            TaskKind.SELF_REPORT,
            self._inp.employee_nip,
            period=period.period,
            detail={
                "period": period.period,
                "targets": self._plan.ids,
                "structured": self._policy.structured_reports,
            },
        )
        i = period.period - 1
        if not isinstance(report.body, SelfReportBody):
            self._periods[i] = period.model_copy(
                update={"report_status": "missing", "feedback_status": "skipped"}
            )
            self._flag(f"missing_report:{period.period}")
            await self._sync()
            return
        self._periods[i] = period = period.model_copy(
            update={"report": report.body.report, "report_status": "done"}
        )
        answer = await self._run_task(
            TaskKind.FEEDBACK,
            self._supervisor,
            period=period.period,
            detail={"period": period.period, "report_task": report.id},
        )
        if isinstance(answer.body, FeedbackBody):
            self._periods[i] = period.model_copy(
                update={"feedback": answer.body.feedback, "feedback_status": "done"}
            )
        else:
            self._periods[i] = period.model_copy(update={"feedback_status": "missing"})
            self._flag(f"missing_feedback:{period.period}")
            await self._sync()

    def _peers(self) -> list[str]:
        skip = {self._inp.employee_nip, self._supervisor}
        peers = [p for p in dict.fromkeys(self._inp.peer_nips) if p not in skip]
        return peers[: self._policy.peer.peers_per_employee]

    async def _peer_input(self, peers: list[str]) -> None:
        """Each peer answers the survey before the deadline; only the aggregate is kept visible."""
        done = await self._fork([self._run_task(TaskKind.PEER_FEEDBACK, p) for p in peers])
        for task in done:
            if isinstance(task.body, PeerFeedbackBody):
                self._peer_answers[task.assignee] = task.body.answers
        rules = self._policy.peer
        self._peer_summary = summarise_peers(
            list(self._peer_answers.values()),
            invited=len(peers),
            quorum=rules.quorum,
            anonymity_threshold=rules.anonymity_threshold,
        )
        if not self._peer_summary.quorum_met:
            self._flag("peer_quorum_not_met")

    async def _year_end_review(self) -> None:
        """The appraiser rates every target and dimension; the matrix gives the grade."""
        assert self._plan is not None
        detail: dict[str, Any] = {"targets": self._plan.ids, "community_score": self._community}
        if self._peer_summary is not None and self._peer_summary.shown:
            detail["peer_means"] = self._peer_summary.model_dump(mode="json")["means"]
        task = await self._run_task(TaskKind.REVIEW, self._supervisor, detail=detail)
        assert isinstance(task.body, ReviewBody)
        self._review = task.body.review
        if self._policy.community.enabled and self._community is None:
            self._flag("community_score_missing")
        self._assessment = assess_under(self._policy, self._review, self._plan, self._community)
        await self._audit(
            "grade.computed", task.completed_by, self._assessment.model_dump(mode="json")
        )

    async def _calibration(self) -> None:
        """Hold until the cycle releases the calibrated grade; a standalone run releases itself."""
        assert self._assessment is not None
        if self._inp.cycle_workflow_id is None and self._policy.release_when_standalone:
            self._release = ReleaseGrade(grade=self._assessment.grade, reason="standalone")
        await self._wait(lambda: self._release is not None)
        assert self._release is not None
        self._grade_final = self._release.grade
        await self._audit(
            "grade.released", self._release.actor_nip, self._release.model_dump(mode="json")
        )

    async def _appeal_window(self) -> None:
        """The employee may file a keberatan; the appraiser's superior decides, finally."""
        self._appeal_deadline = workflow.now() + days(self._policy.appeal_window_days)
        await self._sync()
        filed = await self._wait(lambda: self._appeal is not None, until=self._appeal_deadline)
        if not filed:
            return
        assert self._appeal is not None and self._grade_final is not None
        task = await self._run_task(
            TaskKind.APPEAL_DECIDE,
            self._superior,
            detail={"grade": self._grade_final},
            on_open=lambda t: setattr(self, "_appeal_task", t.id),
        )
        body = task.body
        if isinstance(body, AppealDecideBody):
            after = body.grade if body.decision == "change" else self._grade_final
            self._appeal = self._appeal.model_copy(
                update={
                    "decision": body.decision,
                    "decided_by": task.completed_by,
                    "decision_reason": body.reason,
                    "grade_after": after,
                }
            )
        else:
            self._flag("appeal_undecided")
            self._appeal = self._appeal.model_copy(
                update={
                    "decision": "uphold",
                    "grade_after": self._grade_final,
                    "decision_reason": "no decision before the deadline: the grade stands",
                }
            )
        self._grade_final = self._appeal.grade_after
        self._publish()
        await self._audit(
            "appeal.decided",
            task.completed_by,
            {
                "decision": self._appeal.decision,
                "grade_before": self._appeal.grade_before,
                "grade_after": self._appeal.grade_after,
            },
        )

    async def _follow_up(self) -> None:
        """Award, development, mentorship with a matched senior, or coaching."""
        assert self._grade_final is not None
        decision = decide_outcome(
            self._grade_final,
            self._policy.outcomes,
            previous_grade=self._inp.previous_grade,
        )
        self._outcome = decision
        if decision.kind is OutcomeKind.MENTORSHIP:
            await self._record_outcome()
            if await self._find_mentor() is None:
                self._flag("no_mentor_available")
                self._outcome = decision.model_copy(update={"kind": OutcomeKind.COACHING})
        await self._record_outcome()
        await self._audit(
            "outcome.decided",
            None,
            {**self._outcome.model_dump(mode="json"), "mentor_nip": self._mentor},
        )

    async def _find_mentor(self) -> str | None:
        if self._inp.roster_id is None:
            return None
        # The appraiser and the one who hears appeals stay out of it: roles kept apart.
        exclude = [self._inp.employee_nip, self._supervisor, self._superior]
        for _ in range(self._policy.mentor.max_offers):
            match = await self._io(
                io.MATCH_MENTOR,
                MentorRequest(
                    appraisal_id=self._id,
                    roster_id=self._inp.roster_id,
                    unit_code=self._inp.unit_code,
                    employee_nip=self._inp.employee_nip,
                    employee_level=self._inp.position_level,
                    exclude=exclude,
                    capacity=self._policy.mentor.capacity,
                ),
                MentorMatch,
            )
            if match.mentor_nip is None:
                return None
            self._mentor, self._mentor_status = match.mentor_nip, MentorStatus.OFFERED
            task = await self._run_task(
                TaskKind.MENTORSHIP_ACCEPT, match.mentor_nip, detail={"grade": self._grade_final}
            )
            if isinstance(task.body, MentorshipAcceptBody) and task.body.accept:
                self._mentor_status = MentorStatus.ACTIVE
                return self._mentor
            exclude.append(match.mentor_nip)
            self._mentor, self._mentor_status = None, MentorStatus.DECLINED
            await self._record_outcome()
        return None

    async def _record_outcome(self) -> None:
        assert self._outcome is not None
        record = OutcomeRecord(
            **self._outcome.model_dump(),
            appraisal_id=self._id,
            cycle_id=self._inp.cycle_id,
            employee_nip=self._inp.employee_nip,
            unit_code=self._inp.unit_code,
            mentor_nip=self._mentor,
            mentor_status=self._mentor_status,
            decided_at=workflow.now(),
        )
        await self._io(io.RECORD_OUTCOME, record)

    # -- the employee's, the assignees' and HR's messages ----------------------------------
    @workflow.update
    async def complete_task(self, inp: CompleteTaskInput) -> TaskCompleted:
        """Complete a task with its kind's body; returns once the workflow has reacted."""
        task = self._book.get(inp.task_id)
        if task is None or not task.open:  # a racing double submit lost after validation
            raise reject(TASK_CLOSED, "this task was completed by another request")
        task.body = inp.body
        task.close(TaskStatus.DONE, workflow.now(), inp.actor_nip)
        await self._write_task(task)
        await self._audit(
            "task.completed",
            inp.actor_nip,
            {
                "task_id": task.id,
                "task_kind": task.kind.value,
                "period": task.period,
                **summarise_body(inp.body),
            },
            at=task.closed_at,
        )
        self._publish()
        await workflow.wait_condition(lambda: self._settled(task))
        return TaskCompleted(
            task=self._book.record(task),
            stage=self._stage,
            open_tasks=[
                self._book.record(t) for t in self._book.open_tasks() if t.assignee == inp.actor_nip
            ],
        )

    @complete_task.validator
    def _check_complete_task(self, inp: CompleteTaskInput) -> None:
        check_completion(
            self._book.get(inp.task_id),
            inp,
            stage=self._stage,
            policy=self._policy,
            draft=self._draft,
            plan=self._plan,
            parent_ids=[p.id for p in self._parents] if self._parents is not None else None,
            grade_released=self._grade_final,
        )

    @workflow.update
    async def file_appeal(self, inp: FileAppealInput) -> AppealFiled:
        """The employee files a keberatan inside the window."""
        assert self._grade_final is not None
        self._appeal = AppealState(
            filed_at=workflow.now(),
            reason=inp.reason,
            deadline=self._appeal_deadline,
            grade_before=self._grade_final,
        )
        await self._audit("appeal.filed", inp.actor_nip, {"grade": self._grade_final})
        await workflow.wait_condition(lambda: self._appeal_task is not None or self._cancelled)
        return AppealFiled(filed_at=self._appeal.filed_at, decide_task_id=self._appeal_task)

    @file_appeal.validator
    def _check_file_appeal(self, inp: FileAppealInput) -> None:
        if inp.actor_nip != self._inp.employee_nip:
            raise reject(NOT_ALLOWED, "only the appraised employee may appeal")
        if self._stage is not Stage.APPEAL or self._appeal_deadline is None:
            raise reject(WRONG_STAGE, f"no appeal window is open (stage {self._stage.value})")
        if self._appeal is not None:
            raise reject(NOT_ALLOWED, "an appeal was already filed")
        if workflow.now() >= self._appeal_deadline:
            raise reject(NOT_ALLOWED, "the appeal window has closed")

    @workflow.update
    async def extend_deadline(self, inp: ExtendDeadlineInput) -> HrActionDone:
        """HR moves an open task's deadline; reminders and escalation start over."""
        task = self._book.tasks[inp.task_id]
        task.move_deadline(inp.due_at)
        self._flags = [f for f in self._flags if f != f"overdue:{task.kind.value}"]
        await self._write_task(task)
        await self._audit(
            "task.deadline_extended",
            inp.actor_nip,
            {"task_id": task.id, "due_at": inp.due_at.isoformat(), "reason": inp.reason},
        )
        return HrActionDone(stage=self._stage, tasks=[self._book.record(task)])

    @extend_deadline.validator
    def _check_extend_deadline(self, inp: ExtendDeadlineInput) -> None:
        task = self._book.get(inp.task_id)
        if task is None:
            raise reject(UNKNOWN_TASK, f"no task {inp.task_id!r} in this appraisal")
        if not task.open:
            raise reject(TASK_CLOSED, f"this task is already {task.status.value}")
        if inp.due_at <= workflow.now():
            raise reject(NOT_ALLOWED, "the new deadline must be in the future", field="due_at")

    @workflow.update
    async def reassign(self, inp: ReassignInput) -> HrActionDone:
        """HR moves the appraisal to a new supervisor; their open tasks move with it."""
        old_supervisor, old_superior = self._supervisor, self._superior
        self._supervisor = inp.supervisor_nip
        self._superior = inp.superior_nip or self._superior
        if self._supervisor != old_supervisor and self._stage is Stage.TARGETS:
            # The old supervisor's targets no longer bind; the new one's are not announced here.
            self._parents = None
            if self._awaiting_parents:
                self._awaiting_parents = False
                self._flag("cascading_skipped:reassigned")
        now = workflow.now()
        changed: list[Task] = []
        for task in self._book.open_tasks():
            to: str | None = None
            if task.kind in SUPERVISOR_KINDS and task.assignee == old_supervisor:
                to = self._supervisor
            elif (
                task.assignee == old_superior
                and self._superior != old_superior
                and (task.escalated or task.kind is TaskKind.APPEAL_DECIDE)
            ):
                to = self._superior
            if to is None:
                continue
            due = max(task.due_at, now + days(self._policy.rule(task.kind).due_days))
            new = self._book.supersede(task, to, now, due)
            if task.kind is TaskKind.APPEAL_DECIDE:
                self._appeal_task = new.id
            changed += [task, new]
        for task in changed:
            await self._write_task(task)
        self._publish()
        await self._sync()
        await self._audit(
            "appraisal.reassigned",
            inp.actor_nip,
            {
                "from": old_supervisor,
                "to": self._supervisor,
                "superior": self._superior,
                "moved_tasks": [t.id for t in changed if t.status is TaskStatus.SUPERSEDED],
                "reason": inp.reason,
            },
        )
        return HrActionDone(stage=self._stage, tasks=[self._book.record(t) for t in changed])

    @reassign.validator
    def _check_reassign(self, inp: ReassignInput) -> None:
        if self._stage in (Stage.DONE, Stage.CANCELLED):
            raise reject(WRONG_STAGE, f"the appraisal is {self._stage.value}")
        # The rule every appraisal starts under (domain.appeals): nobody hears an appeal
        # against their own review, so a superior equal to the new supervisor is refused here.
        try:
            check_chain(
                self._inp.employee_nip, inp.supervisor_nip, inp.superior_nip or self._superior
            )
        except DomainError as e:
            raise reject(NOT_ALLOWED, e.reason, field=e.field) from None
        if inp.supervisor_nip == self._supervisor and inp.superior_nip in (None, self._superior):
            raise reject(NOT_ALLOWED, "nothing would change", field="supervisor_nip")

    @workflow.update
    async def cancel(self, inp: CancelInput) -> HrActionDone:
        """HR ends the appraisal at any stage; every open task is cancelled."""
        closed = await self._close_as_cancelled(inp.actor_nip, inp.reason)
        return HrActionDone(stage=self._stage, tasks=[self._book.record(t) for t in closed])

    async def _close_as_cancelled(self, actor: str | None, reason: str) -> list[Task]:
        """Cancel every open task, free a mentor's offered place, and record why."""
        self._cancelled, self._cancel_reason = True, reason
        now = workflow.now()
        closed = self._book.open_tasks()
        for task in closed:
            task.close(TaskStatus.CANCELLED, now)
            await self._write_task(task)
        if self._mentor_status is MentorStatus.OFFERED:
            self._mentor, self._mentor_status = None, MentorStatus.NONE
            await self._record_outcome()
        self._stage = Stage.CANCELLED
        self._publish()
        await self._sync()
        await self._report_progress()
        await self._audit("appraisal.cancelled", actor, {"reason": reason})
        return closed

    @cancel.validator
    def _check_cancel(self, inp: CancelInput) -> None:
        if self._stage in (Stage.DONE, Stage.CANCELLED):
            raise reject(WRONG_STAGE, f"the appraisal is already {self._stage.value}")

    # -- signals from other workflows -------------------------------------------------------
    @workflow.signal
    def supervisor_targets_approved(self, msg: SupervisorTargetsApproved) -> None:
        """The supervisor's plan is approved: drafting may start, hanging from its targets."""
        if msg.supervisor_nip == self._supervisor and self._awaiting_parents:
            self._parents = list(msg.targets)
            self._awaiting_parents = False

    @workflow.signal
    def release_grade(self, msg: ReleaseGrade) -> None:
        """The cycle releases the calibrated grade."""
        # Kept even when it comes early: calibration will find it waiting.
        finished = (Stage.APPEAL, Stage.OUTCOME, Stage.DONE, Stage.CANCELLED)
        if self._release is None and self._stage not in finished:
            self._release = msg
        else:
            workflow.logger.warning("grade release ignored in stage %s", self._stage.value)

    @workflow.signal
    def community_score(self, msg: CommunityScore) -> None:
        """The unit's citizen-satisfaction score, before the review is done."""
        if msg.unit_code == self._inp.unit_code and self._review is None:
            self._community = msg.score

    # -- queries ---------------------------------------------------------------------------
    @workflow.query
    def state(self) -> AppraisalState:
        """The full live state."""
        return AppraisalState(
            appraisal_id=self._id,
            **self._who(),
            stage=self._stage,
            waiting_until=self._next_wakeup(),
            waiting_for="supervisor_targets" if self._awaiting_parents else None,
            plan=self._plan or self._draft,
            plan_returns=list(self._plan_returns),
            periods=list(self._periods),
            peer=self._peer_summary,
            community_score=self._community,
            review=self._review,
            assessment=self._assessment,
            grade_final=self._grade_final,
            grade_adjusted=bool(self._release and self._release.adjusted),
            grade_release_reason=self._release.reason if self._release else None,
            appeal_deadline=self._appeal_deadline,
            appeal=self._appeal,
            outcome=self._outcome,
            mentor_nip=self._mentor,
            mentor_status=self._mentor_status,
            flags=list(self._flags),
            cancel_reason=self._cancel_reason,
            tasks=[self._book.record(t) for t in self._book.tasks.values()],
        )

    @workflow.query
    def peer_answers(self) -> PeerAnswers:
        """Raw peer answers with the peers' NIPs; the API shows them to auditors only."""
        return PeerAnswers(answers=dict(self._peer_answers))
