"""A unit's own rating as a decision of the official one level up: HR proposes, the official
decides, calibration uses the decision; and a cycle started before that keeps HR's rating."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from temporalio.client import WorkflowHandle, WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError

from appraisal_engine.client.starters import launch_cycle
from appraisal_engine.domain.audit_kinds import UNIT_RATING_DECIDED, UNIT_RATING_PROPOSED
from appraisal_engine.domain.curve import UnitRating
from appraisal_engine.domain.ratings import Rating, grade_for
from appraisal_engine.domain.records import AuditFilter, TaskRecord
from appraisal_engine.domain.stages import BEFORE_CALIBRATION
from appraisal_engine.domain.tasks import TaskKind
from appraisal_engine.domain.unit_rating import UNIT_HEAD_RESULTS
from appraisal_engine.simulator.inbox import answer_tasks, open_tasks
from appraisal_engine.simulator.roster import generate_roster
from appraisal_engine.simulator.scripted import Actors
from appraisal_engine.store.repositories.audit import list_events
from appraisal_engine.workflows import ids
from appraisal_engine.workflows.appraisal.workflow import AppraisalWorkflow
from appraisal_engine.workflows.cycle import CycleWorkflow
from appraisal_engine.workflows.cycle_messages import (
    CalibrateInput,
    CycleCarry,
    CycleInput,
    CycleStatus,
    CycleSummary,
    UnitRatingInput,
)
from appraisal_engine.workflows.errors import (
    INVALID_PAYLOAD,
    NOT_ALLOWED,
    NOT_ASSIGNEE,
    WRONG_STAGE,
)
from appraisal_engine.workflows.messages import AppraisalState, CompleteTaskInput, ReviewBody
from tests.workflows.conftest import Running
from tests.workflows.cycle_driver import HR, POLICY, REGIONAL_HEAD, store_roster

Cycle = WorkflowHandle[CycleWorkflow, CycleSummary]


async def refused(cycle: Cycle, update: object, inp: object) -> ApplicationError:
    """The refusal of an update the cycle must not accept."""
    with pytest.raises(WorkflowUpdateFailedError) as err:
        await cycle.execute_update(update, inp)  # type: ignore[call-overload]
    cause = err.value.cause
    assert isinstance(cause, ApplicationError)
    return cause


async def launched(cycle: Cycle) -> CycleStatus:
    for _ in range(200):
        status = await cycle.query(CycleWorkflow.status)
        if status.launch_done:
            return status
        await asyncio.sleep(0.05)
    raise AssertionError("the cycle did not launch")


async def all_reviewed(running: Running, cycle: Cycle, cycle_id: str) -> None:
    """Answer every task until each appraisal waits for calibration."""
    actors = Actors(POLICY)
    for _ in range(600):
        status = await cycle.query(CycleWorkflow.status)
        waiting = sum(p.stages.get(s, 0) for p in status.units.values() for s in BEFORE_CALIBRATION)
        if not waiting:
            return
        tasks = await open_tasks(running.sessions, cycle_id)
        await answer_tasks(running.client, tasks, actors.body)
        if not tasks:
            await asyncio.sleep(0.1)
    raise AssertionError("the reviews did not all come in")


async def test_the_official_decides_and_calibration_uses_the_decision(
    running_dev: Running,
) -> None:
    running = running_dev
    employees = generate_roster(6, units=1, seed=11)
    roster_id = await store_roster(running, employees)
    org = f"kota-{uuid.uuid4().hex[:6]}"
    cycle = await launch_cycle(
        running.client,
        org=org,
        year=2032,
        roster_id=roster_id,
        policy=POLICY,
        task_queue=running.task_queue,
        year_start=datetime.now(UTC) - timedelta(days=366),
    )
    cycle_id = ids.cycle_id(org, 2032)
    status = await launched(cycle)
    (unit,) = status.units
    head = next(e.nip for e in employees if e.supervisor_nip is None)
    assert status.units[unit].head_nip == head
    assert status.units[unit].rater_nip == REGIONAL_HEAD  # the head is at the top

    def said(actor: str, rating: UnitRating, note: str | None = None) -> UnitRatingInput:
        return UnitRatingInput(actor_nip=actor, unit_code=unit, rating=rating, note=note)

    # Someone other than the unit's official may not decide: the head, HR, anyone.
    for stranger in (HR, head):
        cause = await refused(
            cycle, CycleWorkflow.decide_unit_rating, said(stranger, UnitRating.BAIK)
        )
        assert cause.type == NOT_ASSIGNEE
    cause = await refused(
        cycle,
        CycleWorkflow.propose_unit_rating,
        said(HR, UnitRating.BAIK).model_copy(update={"unit_code": "NOPE"}),
    )
    assert cause.type == INVALID_PAYLOAD and "NOPE" in str(cause)

    before = datetime.now(UTC) - timedelta(seconds=5)
    proposed = await cycle.execute_update(
        CycleWorkflow.propose_unit_rating, said(HR, UnitRating.ISTIMEWA, "capaian IKU 110%")
    )
    assert proposed.rating_proposed is not None and proposed.rating_decided is None
    assert proposed.rating_proposed.actor_nip == HR
    assert proposed.rating_proposed.note == "capaian IKU 110%"
    assert proposed.rating_proposed.at >= before

    await all_reviewed(running, cycle, cycle_id)
    # A proposal is not a decision: calibration waits for the official, naming the unit.
    cause = await refused(
        cycle, CycleWorkflow.calibrate, CalibrateInput(actor_nip=HR, unit_code=unit)
    )
    assert cause.type == WRONG_STAGE
    assert unit in str(cause) and REGIONAL_HEAD in str(cause) and "not decided" in str(cause)

    decided = await cycle.execute_update(
        CycleWorkflow.decide_unit_rating, said(REGIONAL_HEAD, UnitRating.BAIK, "sesuai evaluasi")
    )
    assert decided.rating_decided is not None
    assert decided.rating_decided.rating is UnitRating.BAIK
    assert decided.rating_decided.actor_nip == REGIONAL_HEAD
    assert decided.rating_proposed == proposed.rating_proposed  # the proposal stays on record

    # HR may repeat the decided rating, not choose another.
    other = CalibrateInput(actor_nip=HR, unit_code=unit, unit_rating=UnitRating.ISTIMEWA)
    cause = await refused(cycle, CycleWorkflow.calibrate, other)
    assert cause.type == INVALID_PAYLOAD and "baik" in str(cause)

    # Everyone Baik breaks a Baik unit's curve: nothing released, the rating may still change.
    first = await cycle.execute_update(
        CycleWorkflow.calibrate, CalibrateInput(actor_nip=HR, unit_code=unit)
    )
    assert first.released == 0 and first.violations
    assert (await cycle.query(CycleWorkflow.status)).units[unit].unit_rating is UnitRating.BAIK
    await cycle.execute_update(
        CycleWorkflow.decide_unit_rating, said(REGIONAL_HEAD, UnitRating.ISTIMEWA)
    )
    second = await cycle.execute_update(
        CycleWorkflow.calibrate,
        CalibrateInput(actor_nip=HR, unit_code=unit, unit_rating=UnitRating.ISTIMEWA),
    )
    assert second.violations == [] and second.released == len(employees)
    status = await cycle.query(CycleWorkflow.status)
    assert status.units[unit].unit_rating is UnitRating.ISTIMEWA

    # Released against its rating: neither the official nor HR may change it now.
    for update, actor in (
        (CycleWorkflow.decide_unit_rating, REGIONAL_HEAD),
        (CycleWorkflow.propose_unit_rating, HR),
    ):
        cause = await refused(cycle, update, said(actor, UnitRating.BAIK))
        assert cause.type == WRONG_STAGE and "no longer change" in str(cause)

    async with running.sessions() as session:
        events = await list_events(session, where=AuditFilter(cycle_id=cycle_id), limit=1000)
    ratings = [
        (e.kind, e.actor_nip, e.payload["unit_rating"])
        for e in events
        if e.kind in (UNIT_RATING_PROPOSED, UNIT_RATING_DECIDED)
    ]
    assert ratings == [
        (UNIT_RATING_PROPOSED, HR, "istimewa"),
        (UNIT_RATING_DECIDED, REGIONAL_HEAD, "baik"),
        (UNIT_RATING_DECIDED, REGIONAL_HEAD, "istimewa"),
    ]
    await cycle.terminate()


async def test_a_cycle_started_before_keeps_hr_typing_the_rating(running_dev: Running) -> None:
    # A cycle that began before units were rated by their official carries that into each
    # run: started here as such a run, it takes HR's rating and no decision.
    running = running_dev
    employees = generate_roster(4, units=1, seed=3)
    roster_id = await store_roster(running, employees)
    org = f"kota-{uuid.uuid4().hex[:6]}"
    year_start = datetime.now(UTC) - timedelta(days=800)  # every review is overdue
    carry = CycleCarry(
        year_start=year_start,
        launched=0,
        launch_cursor=(0, 0),
        launch_done=False,
        units={},
        runs=1,
    )
    assert carry.rated_by_official is False  # what an old run's carry decodes to
    inp = CycleInput(org=org, year=2033, roster_id=roster_id, policy=POLICY, carried=carry)
    cycle = await running.client.start_workflow(
        CycleWorkflow.run,
        inp,
        id=f"cycle-{org}-2033",
        task_queue=running.task_queue,
    )
    status = await launched(cycle)
    (unit,) = status.units
    assert status.units[unit].rater_nip is None
    proposal = UnitRatingInput(actor_nip=HR, unit_code=unit, rating=UnitRating.BAIK)
    for update in (CycleWorkflow.propose_unit_rating, CycleWorkflow.decide_unit_rating):
        cause = await refused(cycle, update, proposal)
        assert cause.type == NOT_ALLOWED
    cause = await refused(
        cycle, CycleWorkflow.calibrate, CalibrateInput(actor_nip=HR, unit_code=unit)
    )
    assert cause.type == INVALID_PAYLOAD and "required" in str(cause)
    typed = CalibrateInput(actor_nip=HR, unit_code=unit, unit_rating=UnitRating.ISTIMEWA)
    result = await cycle.execute_update(CycleWorkflow.calibrate, typed)
    assert result.violations == []
    status = await cycle.query(CycleWorkflow.status)
    assert status.units[unit].unit_rating is UnitRating.ISTIMEWA
    await cycle.terminate()


async def test_a_heads_results_follow_the_units_decided_rating(running_dev: Running) -> None:
    # Under a policy with unit_head_results, the head's review waits for the unit's rating;
    # their results rating is then the unit's, mapped, whatever their target ratings say.
    running = running_dev
    policy = POLICY.model_copy(update={"unit_head_results": UNIT_HEAD_RESULTS})
    employees = generate_roster(5, units=1, seed=13)
    roster_id = await store_roster(running, employees)
    org = f"kota-{uuid.uuid4().hex[:6]}"
    cycle = await launch_cycle(
        running.client,
        org=org,
        year=2034,
        roster_id=roster_id,
        policy=policy,
        task_queue=running.task_queue,
        year_start=datetime.now(UTC) - timedelta(days=366),
    )
    cycle_id = ids.cycle_id(org, 2034)
    status = await launched(cycle)
    (unit,) = status.units
    head = status.units[unit].head_nip
    assert head is not None
    head_appraisal = ids.appraisal_workflow_id(cycle_id, head)
    actors = Actors(policy)
    review: TaskRecord | None = None
    for _ in range(600):
        tasks = await open_tasks(running.sessions, cycle_id)
        review = next(
            (t for t in tasks if t.appraisal_id == head_appraisal and t.kind is TaskKind.REVIEW),
            None,
        )
        if review is not None:
            break
        await answer_tasks(running.client, tasks, actors.body)
        if not tasks:
            await asyncio.sleep(0.1)
    assert review is not None and review.assignee_nip == REGIONAL_HEAD
    body = actors.body(review)
    assert isinstance(body, ReviewBody)
    # Every target above: the targets alone would rate the results "above".
    above = body.review.model_copy(
        update={"target_ratings": {t: Rating.ABOVE for t in body.review.target_ratings}}
    )
    complete = CompleteTaskInput(
        task_id=review.id, actor_nip=REGIONAL_HEAD, body=ReviewBody(review=above)
    )
    handle = running.client.get_workflow_handle(head_appraisal)
    with pytest.raises(WorkflowUpdateFailedError) as err:
        await handle.execute_update(AppraisalWorkflow.complete_task, complete)
    assert isinstance(err.value.cause, ApplicationError)
    assert err.value.cause.type == WRONG_STAGE and "not decided yet" in str(err.value.cause)

    decision = UnitRatingInput(actor_nip=REGIONAL_HEAD, unit_code=unit, rating=UnitRating.BAIK)
    await cycle.execute_update(CycleWorkflow.decide_unit_rating, decision)
    state: AppraisalState = await handle.query(AppraisalWorkflow.state)
    assert state.heads_unit and state.unit_rating is UnitRating.BAIK
    await handle.execute_update(AppraisalWorkflow.complete_task, complete)
    state = await handle.query(AppraisalWorkflow.state)
    assert state.assessment is not None
    assert state.assessment.results is Rating.MEETS  # Baik unit: meets, not the targets' above
    assert state.assessment.results_from_unit is UnitRating.BAIK
    assert state.assessment.grade is grade_for(Rating.MEETS, state.assessment.behaviour)

    # The head was reviewed with it: the unit's rating can no longer change.
    for _ in range(100):
        if (await cycle.query(CycleWorkflow.status)).units[unit].head_reviewed:
            break
        await asyncio.sleep(0.05)
    again = decision.model_copy(update={"rating": UnitRating.ISTIMEWA})
    cause = await refused(cycle, CycleWorkflow.decide_unit_rating, again)
    assert cause.type == WRONG_STAGE and "head of" in str(cause)
    # Anyone else in the unit is rated on their targets as before.
    others = [e.nip for e in employees if e.nip != head]
    other = await running.client.get_workflow_handle(
        ids.appraisal_workflow_id(cycle_id, others[0])
    ).query(AppraisalWorkflow.state)
    assert not other.heads_unit
    await cycle.terminate()
