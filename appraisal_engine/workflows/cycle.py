"""CycleWorkflow: one organisation's appraisal year, from launch to the closing summary."""

from __future__ import annotations

from collections import deque
from datetime import datetime, timedelta
from typing import Any

from temporalio import workflow
from temporalio.exceptions import ApplicationError, FailureError
from temporalio.workflow import ActivityHandle

with workflow.unsafe.imports_passed_through():
    from appraisal_engine.domain.audit_kinds import (
        CALIBRATION_REJECTED,
        CALIBRATION_RELEASED,
        COMMUNITY_SCORES,
        UNIT_RATING_DECIDED,
        UNIT_RATING_PROPOSED,
    )
    from appraisal_engine.domain.calendar import local_day
    from appraisal_engine.domain.calibration import UnitGrade, calibrate_unit
    from appraisal_engine.domain.curve import UnitRating
    from appraisal_engine.domain.errors import DomainError, Wording
    from appraisal_engine.domain.records import AuditEvent
    from appraisal_engine.domain.schedule import review_deadline
    from appraisal_engine.domain.stages import BEFORE_CALIBRATION, FINISHED, Stage
    from appraisal_engine.domain.unit_rating import UnitRatingEntry
    from appraisal_engine.workflows import io
    from appraisal_engine.workflows.cycle_messages import (
        AppraisalProgress,
        CalibrateInput,
        CalibrationResult,
        CommunityFeedbackInput,
        CycleCarry,
        CycleInput,
        CycleStatus,
        CycleSummary,
        LaunchBatch,
        LaunchPlan,
        LaunchResult,
        PlanRequest,
        ReleaseUnit,
        UnitBroadcast,
        UnitProgress,
        UnitQuery,
        UnitRatingInput,
    )
    from appraisal_engine.workflows.errors import (
        INVALID_PAYLOAD,
        NOT_ALLOWED,
        WRONG_STAGE,
        reject,
    )
    from appraisal_engine.workflows.ids import appraisal_workflow_id, cycle_id
    from appraisal_engine.workflows.messages import UnitRatingDecided
    from appraisal_engine.workflows.unit_rating_checks import (
        CycleNow,
        calibration_rating,
        check_calibration_rating,
        check_decider,
        check_rating_change,
    )

# Cycles that reach their launch after this patch keep two batches in flight (see
# `_launch_overlapped`); those started before it replay one batch at a time.
LAUNCH_OVERLAPPED = "launch-overlapped"
BATCHES_IN_FLIGHT = 2
# Cycles started after this patch take each unit's rating from the official one level up (HR
# may propose it); calibration uses the decided rating. Those started before keep taking the
# rating HR types at calibration, for the whole year, across continue-as-new.
UNIT_RATED_BY_OFFICIAL = "unit-rated-by-official"
UNIT_RATING_SIGNAL = "unit_rating_decided"  # AppraisalWorkflow's signal


@workflow.defn
class CycleWorkflow:
    """Launch every appraisal, count their progress, calibrate unit by unit, close the year."""

    @workflow.init
    def __init__(self, inp: CycleInput) -> None:
        self._inp = inp
        self._cycle_id = cycle_id(inp.org, inp.year)
        carried = inp.carried
        self._year_start: datetime = (
            carried.year_start if carried else inp.year_start or workflow.now()
        )
        self._launched = carried.launched if carried else 0
        self._cursor: tuple[int, int] = carried.launch_cursor if carried else (0, 0)
        self._launch_done = carried.launch_done if carried else False
        self._units: dict[str, UnitProgress] = dict(carried.units) if carried else {}
        self._runs = carried.runs + 1 if carried else 1
        self._calibrating: set[str] = set()
        self._audit_seq = 0
        # Known at the start of the run (see `run`); carried across continue-as-new.
        self._rated_by_official: bool | None = carried.rated_by_official if carried else None

    @workflow.run
    async def run(self, inp: CycleInput) -> CycleSummary:
        """Launch, then wait for every appraisal to finish, continuing as new when told to."""
        if self._rated_by_official is None:
            self._rated_by_official = workflow.patched(UNIT_RATED_BY_OFFICIAL)
        if not self._launch_done:
            await self._launch()
        while not self._finished():
            await workflow.wait_condition(lambda: self._finished() or self._must_continue())
            if not self._finished():
                await self._continue()
        await workflow.wait_condition(workflow.all_handlers_finished)
        summary: CycleSummary = await self._activity(io.CYCLE_SUMMARY, self._cycle_id, CycleSummary)
        return summary

    # -- launch ----------------------------------------------------------------------------
    async def _launch(self) -> None:
        """Start appraisals depth by depth, heads first, so cascading flows down the tree."""
        policy = self._inp.policy
        # Only the activity's input changes with the appeals officer, not the commands: the
        # histories of cycles planned without one replay as they are.
        request = PlanRequest(
            roster_id=self._inp.roster_id,
            top_appraiser_nip=policy.regional_head_nip,
            appeals_officer_nip=policy.appeals_officer_nip,
        )
        plan: LaunchPlan = await self._activity(io.PLAN_LAUNCH, request, LaunchPlan)
        if not self._units:
            self._units = {
                u: UnitProgress(total=n, stages={Stage.TARGETS: n}) for u, n in plan.units.items()
            }
            if self._rated_by_official:
                for u, rater in plan.raters.items():
                    self._units[u] = self._units[u].model_copy(
                        update={"head_nip": rater.head_nip, "rater_nip": rater.rater_nip}
                    )
        if workflow.patched(LAUNCH_OVERLAPPED):
            await self._launch_overlapped(plan)
        else:
            await self._launch_one_batch_at_a_time(plan)
        self._launch_done = True

    async def _launch_one_batch_at_a_time(self, plan: LaunchPlan) -> None:
        """The launch as cycles started before LAUNCH_OVERLAPPED run it."""
        depth, offset = self._cursor
        size = self._inp.batch_size
        while depth < len(plan.depth_counts):
            count = plan.depth_counts[depth]
            while offset < count:
                result = await self._start_batch(depth, offset)
                self._launched += result.started + result.existing
                offset += size
                self._cursor = (depth, offset)
                if self._must_continue():
                    await self._continue()
            depth, offset = depth + 1, 0
            self._cursor = (depth, offset)

    async def _launch_overlapped(self, plan: LaunchPlan) -> None:
        """Keep BATCHES_IN_FLIGHT batches of a depth going, so that one batch's last starts and
        the cycle's turn between batches overlap the next batch's first starts (the worker's
        start gate bounds them together). A depth begins only once every batch above it is
        done. When continue-as-new is suggested, no new batch goes out: the cycle waits for
        those in flight and carries on from the first batch not yet sent."""
        depth, offset = self._cursor
        size = self._inp.batch_size
        in_flight: deque[ActivityHandle[LaunchResult]] = deque()
        try:
            while depth < len(plan.depth_counts):
                more = offset < plan.depth_counts[depth]
                if more and len(in_flight) < BATCHES_IN_FLIGHT and not self._must_continue():
                    in_flight.append(self._start_batch(depth, offset))
                    offset += size
                elif in_flight:
                    result = await in_flight.popleft()
                    self._launched += result.started + result.existing
                elif more:
                    self._cursor = (depth, offset)
                    await self._continue()
                else:
                    depth, offset = depth + 1, 0
        except BaseException:
            for batch in in_flight:  # a failed or cancelled launch leaves no batch running
                batch.cancel()
            raise
        self._cursor = (depth, offset)

    def _start_batch(self, depth: int, offset: int) -> ActivityHandle[LaunchResult]:
        batch = LaunchBatch(
            cycle_id=self._cycle_id,
            cycle_workflow_id=workflow.info().workflow_id,
            roster_id=self._inp.roster_id,
            policy=self._inp.policy,
            year_start=self._year_start,
            depth=depth,
            offset=offset,
            limit=self._inp.batch_size,
        )
        return workflow.start_activity(
            io.LAUNCH_BATCH,
            batch,
            result_type=LaunchResult,
            start_to_close_timeout=io.BATCH_TIMEOUT,
            retry_policy=io.BATCH_RETRY,
            # The batch heartbeats while it runs: a dead worker's batch is retried elsewhere
            # within half a minute.
            heartbeat_timeout=timedelta(seconds=30),
        )

    # -- continue-as-new -------------------------------------------------------------------
    def _must_continue(self) -> bool:
        return workflow.info().is_continue_as_new_suggested()

    async def _continue(self) -> None:
        await workflow.wait_condition(workflow.all_handlers_finished)
        carry = CycleCarry(
            year_start=self._year_start,
            launched=self._launched,
            launch_cursor=self._cursor,
            launch_done=self._launch_done,
            units=self._units,
            runs=self._runs,
            rated_by_official=bool(self._rated_by_official),
        )
        workflow.continue_as_new(self._inp.model_copy(update={"carried": carry}))

    def _finished(self) -> bool:
        return self._launch_done and all(
            sum(u.stages.get(s, 0) for s in FINISHED) >= u.total for u in self._units.values()
        )

    # -- progress --------------------------------------------------------------------------
    @workflow.signal
    def appraisal_progress(self, p: AppraisalProgress) -> None:
        """An appraisal moved on; keep the per-unit counters."""
        unit = self._units.get(p.unit_code)
        if unit is None:
            workflow.logger.warning("progress for unknown unit from %s", p.appraisal_id)
            return
        stages = dict(unit.stages)
        if p.previous_stage:
            # Never below zero: a count cannot go negative whatever arrives.
            stages[p.previous_stage] = max(stages.get(p.previous_stage, 0) - 1, 0)
        stages[p.stage] = stages.get(p.stage, 0) + 1
        counts = {stage: n for stage, n in stages.items() if n}  # canonical: no empty stages
        update: dict[str, Any] = {"stages": counts}
        head = unit.head_nip
        if head and p.appraisal_id == appraisal_workflow_id(self._cycle_id, head):
            reviewed = p.stage not in BEFORE_CALIBRATION and p.stage != Stage.CANCELLED
            update["head_reviewed"] = reviewed
        self._units[p.unit_code] = unit.model_copy(update=update)

    # -- calibration -----------------------------------------------------------------------
    def _review_deadline(self) -> datetime:
        """When every review of the year is due at the latest, escalation included."""
        return review_deadline(self._inp.policy, self._year_start)

    def _waiting(self, unit: UnitProgress) -> int:
        return sum(unit.stages.get(s, 0) for s in BEFORE_CALIBRATION)

    @workflow.update
    async def calibrate(self, inp: CalibrateInput) -> CalibrationResult:
        """Check a unit's grades against its curve; release them when they fit."""
        unit = inp.unit_code
        rating = calibration_rating(bool(self._rated_by_official), self._units[unit], inp)
        self._calibrating.add(unit)
        try:
            query = UnitQuery(cycle_id=self._cycle_id, unit_code=unit)
            grades: list[UnitGrade] = await self._activity(io.UNIT_GRADES, query, list[UnitGrade])
            try:
                # The policy travels in the input: one recorded before `curve_rounding`
                # existed reads as strict, the rule it was calibrated by, so no patch is needed.
                policy = self._inp.policy
                calibration = calibrate_unit(
                    unit,
                    grades,
                    inp.adjustments,
                    rating,
                    policy.curve,
                    policy.curve_rounding,
                )
            except DomainError as e:
                raise ApplicationError(
                    e.reason, {"field": e.field}, type=INVALID_PAYLOAD, non_retryable=True
                ) from None
            violations = calibration.violations
            progress = self._units[unit]
            self._units[unit] = progress.model_copy(
                update={"unit_rating": rating, "calibrations": progress.calibrations + 1}
            )
            waiting = self._waiting(progress)
            if violations:
                await self._audit(
                    CALIBRATION_REJECTED,
                    inp.actor_nip,
                    unit,
                    {
                        "unit_rating": rating.value,
                        "violations": [v.message for v in violations],
                    },
                )
                return CalibrationResult(
                    unit_code=unit, released=0, violations=violations, waiting=waiting
                )
            released: int = await self._activity(
                io.RELEASE_UNIT,
                ReleaseUnit(
                    cycle_id=self._cycle_id,
                    unit_code=unit,
                    grades=calibration.releases,
                    actor_nip=inp.actor_nip,
                ),
            )
            progress = self._units[unit]
            self._units[unit] = progress.model_copy(
                update={"released": progress.released + released}
            )
            await self._audit(
                CALIBRATION_RELEASED,
                inp.actor_nip,
                unit,
                {
                    "unit_rating": rating.value,
                    "released": released,
                    "adjusted": {a.appraisal_id: a.grade.value for a in inp.adjustments},
                },
            )
            return CalibrationResult(unit_code=unit, released=released, waiting=waiting)
        finally:
            self._calibrating.discard(unit)

    @calibrate.validator
    def _check_calibrate(self, inp: CalibrateInput) -> None:
        if self._finished():
            raise reject(WRONG_STAGE, "the cycle is closed")
        unit = self._units.get(inp.unit_code)
        if unit is None:
            raise reject(
                INVALID_PAYLOAD,
                Wording("no unit %(unit)s in this cycle", {"unit": repr(inp.unit_code)}),
                field="unit_code",
            )
        if inp.unit_code in self._calibrating:
            raise reject(WRONG_STAGE, "this unit is being calibrated by another request")
        if not self._launch_done:
            raise reject(WRONG_STAGE, "the cycle is still launching")
        if self._waiting(unit) and workflow.now() < self._review_deadline():
            raise reject(
                WRONG_STAGE,
                Wording(
                    "%(n)s reviews of %(unit)s are not in yet; calibration opens when they "
                    "are, or after %(day)s",
                    {
                        "n": self._waiting(unit),
                        "unit": inp.unit_code,
                        "day": local_day(
                            self._review_deadline(), self._inp.policy.time_zone
                        ).isoformat(),
                    },
                ),
            )
        ids = [a.appraisal_id for a in inp.adjustments]
        if len(set(ids)) != len(ids):
            raise reject(INVALID_PAYLOAD, "one adjustment per appraisal", field="adjustments")
        check_calibration_rating(bool(self._rated_by_official), unit, inp)

    # -- the unit's own rating -----------------------------------------------------------
    @workflow.update
    async def propose_unit_rating(self, inp: UnitRatingInput) -> UnitProgress:
        """HR prepares a unit's rating, with a note, for its official to decide."""
        entry = self._entry(inp)
        progress = self._units[inp.unit_code]
        self._units[inp.unit_code] = progress.model_copy(update={"rating_proposed": entry})
        await self._audit(UNIT_RATING_PROPOSED, inp.actor_nip, inp.unit_code, self._said(inp))
        return self._units[inp.unit_code]

    @propose_unit_rating.validator
    def _check_propose(self, inp: UnitRatingInput) -> None:
        self._check_unit_rating(inp)

    @workflow.update
    async def decide_unit_rating(self, inp: UnitRatingInput) -> UnitProgress:
        """The official one level up decides a unit's rating; calibration uses it."""
        entry = self._entry(inp)
        progress = self._units[inp.unit_code]
        self._units[inp.unit_code] = progress.model_copy(update={"rating_decided": entry})
        await self._audit(UNIT_RATING_DECIDED, inp.actor_nip, inp.unit_code, self._said(inp))
        if self._inp.policy.unit_head_results is not None and progress.head_nip:
            await self._tell_head(inp.unit_code, progress.head_nip, inp.rating)
        return self._units[inp.unit_code]

    async def _tell_head(self, unit: str, head: str, rating: UnitRating) -> None:
        """The head's review takes their results from the unit's rating: tell their appraisal."""
        handle = workflow.get_external_workflow_handle(appraisal_workflow_id(self._cycle_id, head))
        said = UnitRatingDecided(unit_code=unit, rating=rating)
        try:
            await handle.signal(UNIT_RATING_SIGNAL, said)
        except FailureError as e:  # the head's appraisal was cancelled and has closed
            workflow.logger.warning("unit rating not sent to %s's head: %s", unit, e)

    @decide_unit_rating.validator
    def _check_decide(self, inp: UnitRatingInput) -> None:
        check_decider(self._check_unit_rating(inp), inp.actor_nip)

    def _check_unit_rating(self, inp: UnitRatingInput) -> UnitProgress:
        now = CycleNow(
            rated_by_official=bool(self._rated_by_official),
            closed=self._finished(),
            launching=not self._launch_done,
            calibrating=inp.unit_code in self._calibrating,
            heads_follow=self._inp.policy.unit_head_results is not None,
        )
        return check_rating_change(inp.unit_code, self._units.get(inp.unit_code), now)

    def _entry(self, inp: UnitRatingInput) -> UnitRatingEntry:
        return UnitRatingEntry(
            rating=inp.rating, note=inp.note, actor_nip=inp.actor_nip, at=workflow.now()
        )

    @staticmethod
    def _said(inp: UnitRatingInput) -> dict[str, Any]:
        return {"unit_rating": inp.rating.value, "note": inp.note}

    # -- community feedback ----------------------------------------------------------------
    @workflow.update
    async def community_feedback(self, inp: CommunityFeedbackInput) -> CycleStatus:
        """Pass each unit's citizen-satisfaction score to its appraisals' reviews."""
        for unit, score in sorted(inp.scores.items()):
            self._units[unit] = self._units[unit].model_copy(update={"community_score": score})
            await self._activity(
                io.BROADCAST_COMMUNITY,
                UnitBroadcast(
                    cycle_id=self._cycle_id,
                    roster_id=self._inp.roster_id,
                    unit_code=unit,
                    score=score,
                ),
            )
        await self._audit(COMMUNITY_SCORES, inp.actor_nip, None, dict(inp.scores))
        return self.status()

    @community_feedback.validator
    def _check_community(self, inp: CommunityFeedbackInput) -> None:
        if not self._launch_done or self._finished():
            raise reject(WRONG_STAGE, "community scores are taken between launch and close")
        if not self._inp.policy.community.enabled:
            raise reject(
                NOT_ALLOWED,
                Wording(
                    "policy %(policy)s takes no community feedback",
                    {"policy": self._inp.policy.name},
                ),
            )
        unknown = sorted(set(inp.scores) - set(self._units))
        if unknown:
            raise reject(
                INVALID_PAYLOAD,
                Wording("unknown units %(units)s", {"units": str(unknown)}),
                field="scores",
            )
        rules = self._inp.policy.community
        back = sorted(u for u in inp.scores if not rules.serves_citizens(u))
        if back:
            # A policy that lists the units serving citizens takes no score for another.
            raise reject(
                INVALID_PAYLOAD,
                Wording(
                    "units %(units)s do not serve citizens under this policy "
                    "(community.service_units): their scores are not taken",
                    {"units": str(back)},
                ),
                field="scores",
            )
        bad = sorted(u for u, s in inp.scores.items() if not 1 <= s <= 5)
        if bad:
            raise reject(
                INVALID_PAYLOAD,
                Wording("scores must be 1-5, not for %(units)s", {"units": str(bad)}),
                field="scores",
            )

    # -- queries and helpers ---------------------------------------------------------------
    @workflow.query
    def status(self) -> CycleStatus:
        """Totals and per-unit counters."""
        return CycleStatus(
            cycle_id=self._cycle_id,
            org=self._inp.org,
            year=self._inp.year,
            policy=self._inp.policy.name,
            launched=self._launched,
            launch_done=self._launch_done,
            total=sum(u.total for u in self._units.values()),
            units=dict(self._units),
            runs=self._runs,
            closed=self._finished(),
        )

    async def _activity(self, name: str, arg: Any, result_type: Any = None) -> Any:
        return await workflow.execute_activity(
            name,
            arg,
            result_type=result_type,
            start_to_close_timeout=io.BATCH_TIMEOUT,
            retry_policy=io.BATCH_RETRY,
        )

    async def _audit(
        self, kind: str, actor: str | None, unit: str | None, payload: dict[str, Any]
    ) -> None:
        self._audit_seq += 1
        info = workflow.info()
        await self._activity(
            io.APPEND_AUDIT,
            AuditEvent(
                event_id=f"{info.run_id}#{self._audit_seq}",
                at=workflow.now(),
                actor_nip=actor,
                kind=kind,
                cycle_id=self._cycle_id,
                payload={"unit_code": unit, **payload} if unit else payload,
            ),
        )
