"""The year's last two stages, once the grade is released: the appeal window and the
follow-up the final grade calls for."""

from __future__ import annotations

from temporalio import workflow

from appraisal_engine.domain.audit_kinds import APPEAL_DECIDED, OUTCOME_DECIDED
from appraisal_engine.domain.calendar import closes_after, days, local_date
from appraisal_engine.domain.outcome import OutcomeKind, decide_outcome
from appraisal_engine.domain.records import MentorRequest, MentorStatus
from appraisal_engine.domain.tasks import TaskKind
from appraisal_engine.workflows.appraisal.clock import Clock
from appraisal_engine.workflows.appraisal.deadlines import Deadlines
from appraisal_engine.workflows.appraisal.effects import Effects
from appraisal_engine.workflows.appraisal.state import AppraisalYear
from appraisal_engine.workflows.messages import AppealDecideBody, MentorshipAcceptBody

APPEAL_CALENDAR_DAYS = "appeal-calendar-days"
"""Since this patch the appeal window counts calendar days in the organisation's zone."""
APPEAL_OPENS_WITH_STAGE = "appeal-opens-with-stage"
"""Since this patch the appeal window's deadline is set before the stage becomes appeal, so
neither a query nor an appeal filed at once meets the appeal stage without its window. Before
it, an appraisal in a cycle wrote its row and reported the new stage to the cycle first (each a
workflow task's wait), and set the deadline (and wrote the row again) after."""
MENTOR_RULES = "mentor-rules"
"""Since this patch a policy's mentor rules (years, level, the supervisor) shape the matching."""


class AppealAndOutcome:
    """The keberatan and its decision; then an award, development, a mentor or coaching."""

    def __init__(
        self, year: AppraisalYear, clock: Clock, effects: Effects, deadlines: Deadlines
    ) -> None:
        self._year, self._clock, self._effects = year, clock, effects
        self._run_task = deadlines.run_task

    def open_window(self) -> None:
        """Set the appeal window's deadline, counted from now."""
        year, policy = self._year, self._year.policy
        if workflow.patched(APPEAL_CALENDAR_DAYS):
            closes = closes_after(workflow.now(), policy.appeal_window_days, policy.time_zone)
        else:  # recorded before: the window was an exact number of days from the release
            closes = workflow.now() + days(policy.appeal_window_days)
        year.appeal_deadline = closes

    async def appeal_window(self) -> None:
        """The employee may file a keberatan; the appraiser's superior decides, finally. The
        window is open already (`open_window`, with the stage), but in a history recorded
        before APPEAL_OPENS_WITH_STAGE."""
        year = self._year
        if year.appeal_deadline is None:
            self.open_window()
            await self._effects.sync()
        filed = await self._clock.wait(lambda: year.appeal is not None, until=year.appeal_deadline)
        if not filed:
            return
        assert year.appeal is not None and year.grade_final is not None
        task = await self._run_task(
            TaskKind.APPEAL_DECIDE,
            year.superior_nip,
            detail={"grade": year.grade_final},
            on_open=lambda t: setattr(year, "appeal_task", t.id),
        )
        body = task.body
        if isinstance(body, AppealDecideBody):
            after = body.grade if body.decision == "change" else year.grade_final
            year.appeal = year.appeal.model_copy(
                update={
                    "decision": body.decision,
                    "decided_by": task.completed_by,
                    "decision_reason": body.reason,
                    "grade_after": after,
                }
            )
        else:
            year.flag("appeal_undecided")
            year.appeal = year.appeal.model_copy(
                update={
                    "decision": "uphold",
                    "grade_after": year.grade_final,
                    "decision_reason": "no decision before the deadline: the grade stands",
                }
            )
        year.grade_final = year.appeal.grade_after
        self._effects.publish()
        await self._effects.audit(
            APPEAL_DECIDED,
            task.completed_by,
            {
                "decision": year.appeal.decision,
                "grade_before": year.appeal.grade_before,
                "grade_after": year.appeal.grade_after,
            },
        )

    async def follow_up(self) -> None:
        """Award, development, mentorship with a matched senior, or coaching."""
        year = self._year
        assert year.grade_final is not None
        decision = decide_outcome(
            year.grade_final, year.policy.outcomes, previous_grade=year.inp.previous_grade
        )
        year.outcome = decision
        if decision.kind is OutcomeKind.MENTORSHIP:
            await self._effects.record_outcome()
            if await self._find_mentor() is None:
                year.flag("no_mentor_available")
                year.outcome = decision.model_copy(update={"kind": OutcomeKind.COACHING})
        await self._effects.record_outcome()
        await self._effects.audit(
            OUTCOME_DECIDED,
            None,
            {**year.outcome.model_dump(mode="json"), "mentor_nip": year.mentor_nip},
        )

    async def _find_mentor(self) -> str | None:
        year = self._year
        if year.inp.roster_id is None:
            return None
        mentor = year.policy.mentor
        # The appraiser and the one who hears appeals stay out of it: roles kept apart, unless
        # the policy lets the appraiser mentor.
        exclude = [year.inp.employee_nip, year.supervisor_nip, year.superior_nip]
        rules, on = None, None
        # Only a policy with mentor rules asks: one without them matches as it always did.
        if mentor.changes_matching and workflow.patched(MENTOR_RULES):
            if mentor.supervisor_may_mentor:
                exclude = [year.inp.employee_nip, year.superior_nip]
            rules, on = mentor.rules, local_date(workflow.now(), year.policy.time_zone)
        for _ in range(mentor.max_offers):
            match = await self._effects.match_mentor(
                MentorRequest(
                    appraisal_id=year.appraisal_id,
                    roster_id=year.inp.roster_id,
                    unit_code=year.inp.unit_code,
                    employee_nip=year.inp.employee_nip,
                    employee_level=year.inp.position_level,
                    exclude=exclude,
                    capacity=mentor.capacity,
                    rules=rules,
                    on=on,
                )
            )
            if match.mentor_nip is None:
                return None
            year.mentor_nip, year.mentor_status = match.mentor_nip, MentorStatus.OFFERED
            task = await self._run_task(
                TaskKind.MENTORSHIP_ACCEPT, match.mentor_nip, detail={"grade": year.grade_final}
            )
            if isinstance(task.body, MentorshipAcceptBody) and task.body.accept:
                year.mentor_status = MentorStatus.ACTIVE
                return year.mentor_nip
            exclude.append(match.mentor_nip)
            year.mentor_nip, year.mentor_status = None, MentorStatus.DECLINED
            await self._effects.record_outcome()
        return None
