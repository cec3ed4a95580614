"""The year's stages in order, from target setting to the follow-up."""

from __future__ import annotations

import asyncio
from typing import Any

from temporalio import workflow

from appraisal_engine.domain.audit_kinds import GRADE_COMPUTED, GRADE_RELEASED
from appraisal_engine.domain.indicators import IndicatorSummary, summarise_indicators
from appraisal_engine.domain.peer import BERAKHLAK, summarise_peers
from appraisal_engine.domain.records import CascadeRequest, ParentTarget
from appraisal_engine.domain.review import assess_year
from appraisal_engine.domain.stages import Stage
from appraisal_engine.domain.tasks import TaskKind
from appraisal_engine.workflows.appraisal.appeal_and_outcome import (
    APPEAL_OPENS_WITH_STAGE,
    AppealAndOutcome,
)
from appraisal_engine.workflows.appraisal.clock import Cancelled, Clock
from appraisal_engine.workflows.appraisal.deadlines import Deadlines
from appraisal_engine.workflows.appraisal.effects import Effects
from appraisal_engine.workflows.appraisal.monitoring import Monitoring
from appraisal_engine.workflows.appraisal.state import AppraisalYear
from appraisal_engine.workflows.ids import appraisal_workflow_id
from appraisal_engine.workflows.messages import (
    PeerFeedbackBody,
    ReleaseGrade,
    ReviewBody,
    TargetsApproveBody,
    TargetsDraftBody,
)

# Appraisals that head their unit take their results from the unit's decided rating.
UNIT_HEAD_RESULTS = "unit-head-results"
PLAN_RECORDED = "plan-recorded"
"""Patch: the approved plan is written for the unit's role-result matrix, right after the
approval; appraisals approved before it replay without that write."""


class Stages:
    """Targets -> monitoring -> peer input -> review -> calibration -> appeal -> outcome."""

    def __init__(self, year: AppraisalYear, clock: Clock, effects: Effects) -> None:
        self._year, self._clock, self._effects = year, clock, effects
        deadlines = Deadlines(year, clock, effects)
        self._run_task = deadlines.run_task
        self._appeal_and_outcome = AppealAndOutcome(year, clock, effects, deadlines)
        self._monitoring = Monitoring(year, clock, effects, deadlines)
        self._cascade: asyncio.Future[Any] | None = None

    async def run(self) -> None:
        """See the year through, stage by stage; raise Cancelled once HR cancels it."""
        await self._targets()
        await self._set_stage(Stage.MONITORING)
        await self._clock.fork([self._monitoring.period(p) for p in self._year.periods])
        peers = self._year.peers()
        if self._year.policy.peer.enabled and peers:
            await self._set_stage(Stage.PEER_INPUT)
            await self._peer_input(peers)
        await self._set_stage(Stage.REVIEW)
        await self._year_end_review()
        await self._set_stage(Stage.CALIBRATION)
        await self._calibration()
        if workflow.patched(APPEAL_OPENS_WITH_STAGE) and not self._year.cancelled:
            self._appeal_and_outcome.open_window()  # the stage is never seen without it
        await self._set_stage(Stage.APPEAL)
        await self._appeal_and_outcome.appeal_window()
        await self._set_stage(Stage.OUTCOME)
        await self._appeal_and_outcome.follow_up()
        await self._set_stage(Stage.DONE)

    def settle_cascade(self) -> None:
        """Stop handing targets down once the year is over; flag it if that failed."""
        if self._cascade is None:
            return
        if not self._cascade.done():
            self._cascade.cancel()
        elif self._cascade.exception() is not None:
            self._year.flag("cascade_failed")

    async def _set_stage(self, stage: Stage) -> None:
        if self._year.cancelled:
            raise Cancelled
        self._year.stage = stage
        self._effects.publish()
        await self._effects.sync()
        await self._effects.report_progress()

    async def _targets(self) -> None:
        """Draft, then approve or return, until approved; cascading waits for the supervisor.

        Not for ever: past the draft's own deadline, or after a reassignment, drafting starts
        without the supervisor's targets, and the appraisal says so in its flags."""
        year = self._year
        if year.awaiting_parents:
            limit = year.days.due(workflow.now(), TaskKind.TARGETS_DRAFT)
            if not await self._clock.wait(lambda: not year.awaiting_parents, until=limit):
                year.awaiting_parents = False
                year.flag("cascading_timed_out")
        comment: str | None = None
        while True:
            detail: dict[str, Any] = {"returned_with": comment}
            if year.parents is not None:
                detail["parent_targets"] = [p.model_dump() for p in year.parents]
            draft = await self._run_task(
                TaskKind.TARGETS_DRAFT, year.inp.employee_nip, detail=detail
            )
            assert isinstance(draft.body, TargetsDraftBody)
            year.draft = draft.body.plan
            decided = await self._run_task(
                TaskKind.TARGETS_APPROVE, year.supervisor_nip, detail={"draft_task": draft.id}
            )
            assert isinstance(decided.body, TargetsApproveBody)
            if decided.body.decision == "approve":
                year.plan = year.draft
                # The leader's expectations and the dialogue bind the year from the approval.
                year.expectations = dict(decided.body.expectations)
                year.dialogue = decided.body.dialogue
                break
            comment = decided.body.comment
            year.plan_returns.append(comment)
        if workflow.patched(PLAN_RECORDED):
            await self._effects.record_plan()
        if year.policy.cascading and year.inp.subordinate_nips and year.inp.cycle_id:
            request = CascadeRequest(
                supervisor_nip=year.inp.employee_nip,
                workflow_ids=[
                    appraisal_workflow_id(year.inp.cycle_id, n) for n in year.inp.subordinate_nips
                ],
                targets=[ParentTarget(id=t.id, rhk=t.rhk) for t in year.plan.targets],
            )
            self._cascade = self._effects.cascade(request)

    async def _peer_input(self, peers: list[str]) -> None:
        """Each peer answers the survey before the deadline; only the aggregate is kept visible."""
        year = self._year
        rules = year.policy.peer
        # Only a survey that asks other questions than the seven values names them: a policy
        # stored before the setting (every running cycle) writes its tasks as it did.
        detail = (
            None
            if rules.aspects == list(BERAKHLAK)
            else {"aspects": [a.value for a in rules.aspects]}
        )
        done = await self._clock.fork(
            [self._run_task(TaskKind.PEER_FEEDBACK, p, detail=detail) for p in peers]
        )
        for task in done:
            if isinstance(task.body, PeerFeedbackBody):
                year.peer_answers[task.assignee] = task.body.answers
        year.peer_summary = summarise_peers(
            list(year.peer_answers.values()),
            invited=len(peers),
            quorum=rules.quorum,
            anonymity_threshold=rules.anonymity_threshold,
            aspects=rules.aspects,
        )
        if not year.peer_summary.quorum_met:
            year.flag("peer_quorum_not_met")
        if rules.behaviour_weight > 0 and not year.peer_summary.counted:
            year.flag("peer_result_not_counted")

    async def _year_end_review(self) -> None:
        """The appraiser rates every target and dimension; the matrix gives the grade."""
        year = self._year
        assert year.plan is not None
        detail: dict[str, Any] = {"targets": year.plan.ids, "community_score": year.community_score}
        if year.peer_summary is not None and year.peer_summary.shown:
            detail["peer_means"] = year.peer_summary.model_dump(mode="json")["means"]
        indicators = self._indicators()
        if indicators is not None:
            # The appraiser sees the year's discipline and attendance before rating.
            rules = year.policy.indicators
            detail["indicators"] = {
                **indicators.model_dump(mode="json"),
                "attendance_floor": rules.attendance_floor,
                "breaches_allowed": rules.breaches_allowed,
            }
        if year.policy.process.enabled:
            # The form asks how each result was reached, and says what that weighs.
            detail["process_weight"] = year.policy.process.weight
        if year.policy.peer.behaviour_weight > 0 and year.peer_summary is not None:
            # The appraiser is told that the peers' result will weigh in, and how much.
            detail["peer_weight"] = year.policy.peer.behaviour_weight
            detail["peer_score"] = year.peer_summary.score()
        task = await self._run_task(TaskKind.REVIEW, year.supervisor_nip, detail=detail)
        assert isinstance(task.body, ReviewBody)
        year.review = task.body.review
        if year.policy.community.enabled and year.community_score is None:
            year.flag("community_score_missing")
        # A unit's head under a policy with unit_head_results: their results are the unit's
        # decided rating, mapped (appraisals started before the patch never head a unit).
        from_unit = None
        if (
            year.inp.heads_unit
            and year.policy.unit_head_results is not None
            and workflow.patched(UNIT_HEAD_RESULTS)
        ):
            from_unit = year.unit_rating
        rated = [p.feedback.rating.grade for p in year.periods if p.feedback and p.feedback.rating]
        year.assessment = assess_year(
            year.policy,
            year.review,
            year.plan,
            year.community_score,
            rated,
            year.peer_summary,
            unit_code=year.inp.unit_code,
            indicators=indicators,
            unit_rating=from_unit,
        )
        await self._effects.audit(
            GRADE_COMPUTED, task.completed_by, year.assessment.model_dump(mode="json")
        )

    def _indicators(self) -> IndicatorSummary | None:
        """The year's discipline and attendance from each period's feedback, where the policy
        keeps them; a period without them is left out, and too few leave the year unrated."""
        year = self._year
        rules = year.policy.indicators
        if not rules.enabled:
            return None
        entries = {
            p.period: p.feedback.indicators
            for p in year.periods
            if p.feedback is not None and p.feedback.indicators is not None
        }
        summary = summarise_indicators(entries, periods=len(year.periods), rules=rules)
        # A period without them is one whose feedback was missed (flagged as such), since every
        # feedback under such a policy carries them.
        if not summary.rated:
            year.flag("indicators_not_rated")
        return summary

    async def _calibration(self) -> None:
        """Hold until the cycle releases the calibrated grade; a standalone run releases itself."""
        year = self._year
        assert year.assessment is not None
        if year.inp.cycle_workflow_id is None and year.policy.release_when_standalone:
            year.release = ReleaseGrade(grade=year.assessment.grade, reason="standalone")
        await self._clock.wait(lambda: year.release is not None)
        assert year.release is not None
        year.grade_final = year.release.grade
        await self._effects.audit(
            GRADE_RELEASED, year.release.actor_nip, year.release.model_dump(mode="json")
        )
