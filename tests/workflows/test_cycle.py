"""A city's cycle on the real dev server: launch, every task, calibration, the closing summary."""

from __future__ import annotations

import asyncio
import functools
import math
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from temporalio.client import WorkflowUpdateFailedError
from temporalio.service import RPCError, RPCStatusCode
from temporalio.testing import ActivityEnvironment

from appraisal_engine.activities.launch import LaunchActivities
from appraisal_engine.activities.rosters import RosterCache
from appraisal_engine.client.starters import launch_cycle
from appraisal_engine.domain.curve import UnitRating
from appraisal_engine.domain.ratings import Grade
from appraisal_engine.domain.roster import validate_roster
from appraisal_engine.domain.stages import Stage
from appraisal_engine.simulator.roster import generate_roster
from appraisal_engine.store.repositories.appraisals import list_appraisals, upsert_appraisal
from appraisal_engine.workflows import ids
from appraisal_engine.workflows.cycle import CycleWorkflow
from appraisal_engine.workflows.cycle_messages import (
    CalibrateInput,
    LaunchBatch,
    PlanRequest,
)
from tests.workflows.conftest import Running
from tests.workflows.cycle_driver import (
    HR,
    POLICY,
    REGIONAL_HEAD,
    batch_timeline,
    batches_at_once,
    drive_cycle,
    store_roster,
)


@pytest.mark.slow
async def test_a_cycle_from_launch_to_summary(running_dev: Running) -> None:
    running = running_dev
    # 64 people in four units of 7 to 32, at depths of 4, 10, 15 and 35: in batches of 15 each
    # depth takes a batch and the deepest three (the city's size is the benchmarks' business).
    employees = generate_roster(64, units=4, seed=7)
    roster_id = await store_roster(running, employees)
    year = 2000 + uuid.uuid4().int % 90
    org = f"kota-{uuid.uuid4().hex[:6]}"
    launch = functools.partial(
        launch_cycle,
        running.client,
        org=org,
        year=year,
        roster_id=roster_id,
        policy=POLICY,
        task_queue=running.task_queue,
    )
    cycle = await launch(year_start=datetime.now(UTC) - timedelta(days=366), batch_size=15)
    again = await launch()
    run_id = (await cycle.describe()).run_id
    assert (await again.describe()).run_id == run_id  # launching twice finds the same cycle
    cycle_id = ids.cycle_id(org, year)
    rejected: dict[str, int] = {}
    await drive_cycle(running, cycle, cycle_id, rejected)
    summary = await cycle.result()
    relaunched = await launch()
    assert (await relaunched.describe()).run_id == run_id  # a closed year is not started again

    units = Counter(e.unit_code for e in employees)
    assert set(summary.units) == set(units) and set(rejected) == set(units)
    for unit, n in units.items():
        grades = summary.units[unit].grades
        assert sum(grades.values()) == n
        assert grades[Grade.SANGAT_BAIK.value] == math.ceil(0.3 * n)
        assert grades[Grade.BUTUH_PERBAIKAN.value] == 1
    assert summary.mentorships == len(units)  # each unit's Butuh Perbaikan found a mentor
    assert summary.outcomes["award"] == sum(math.ceil(0.3 * n) for n in units.values())
    history = await cycle.fetch_history()
    assert len(history.events) < 10_000

    # Heads first, then each depth in batches of 15, two at a time within a depth: the deepest
    # level's 35 take three batches.
    first_run = running.client.get_workflow_handle(cycle.id, run_id=run_id)
    timeline = batch_timeline(await first_run.fetch_history())
    depths = validate_roster(
        [e.model_dump(mode="json") for e in employees], top_appraiser_nip=REGIONAL_HEAD
    ).launch_order()
    expected = {(d, o) for d, level in enumerate(depths) for o in range(0, len(level), 15)}
    sent = [(d, o) for kind, d, o in timeline if kind == "sent"]
    assert sorted(sent) == sorted(expected) and len(expected) == 6
    assert {(d, o) for kind, d, o in timeline if kind == "done"} == expected
    assert batches_at_once(timeline) == 2


async def test_a_retried_batch_starts_nobody_twice(running_dev: Running) -> None:
    running = running_dev
    employees = generate_roster(40, units=2, seed=3)
    roster_id = await store_roster(running, employees)
    # Seven rows a write: the batch's rows take several writes while its starts go on.
    acts = LaunchActivities(
        running.client,
        running.sessions,
        running.task_queue,
        RosterCache(running.sessions),
        rows_per_write=7,
    )
    env = ActivityEnvironment()
    request = PlanRequest(
        roster_id=roster_id,
        top_appraiser_nip=REGIONAL_HEAD,
        appeals_officer_nip=POLICY.appeals_officer_nip,
    )
    plan = await env.run(acts.plan_launch, request)
    cycle_id = f"retry-{uuid.uuid4().hex[:8]}"
    batch = LaunchBatch(
        cycle_id=cycle_id,
        cycle_workflow_id=ids.workflow_id_of_cycle(cycle_id),
        roster_id=roster_id,
        policy=POLICY,
        year_start=datetime.now(UTC),
        depth=len(plan.depth_counts) - 1,
        offset=0,
        limit=1000,
    )
    first = await env.run(acts.launch_batch, batch)
    assert first.started > 2 * 7
    async with running.sessions() as session:
        rows = await list_appraisals(session, cycle_id=cycle_id, limit=None)
    # The batch stored every opening row; one appraisal then moves on before the retry.
    assert len(rows) == first.started
    assert {(r.stage, r.status, tuple(r.flags)) for r in rows} == {("targets", "running", ())}
    moved = rows[0].model_copy(update={"stage": Stage.MONITORING})
    async with running.sessions() as session, session.begin():
        await upsert_appraisal(session, moved)
    second = await env.run(acts.launch_batch, batch)
    assert first.started == plan.depth_counts[-1] and first.existing == 0
    assert second.started == 0 and second.existing == first.started
    async with running.sessions() as session:
        again = await list_appraisals(session, cycle_id=cycle_id, limit=None)
    assert again == [moved, *rows[1:]]  # the retry overwrote nothing
    stopped = 0
    for e in employees:  # leave nothing running: only the deepest level was started
        try:
            await running.client.get_workflow_handle(
                ids.appraisal_workflow_id(cycle_id, e.nip)
            ).terminate()
            stopped += 1
        except RPCError as err:
            assert err.status is RPCStatusCode.NOT_FOUND
    assert stopped == first.started


async def test_calibration_before_reviews_are_in_is_refused(running_dev: Running) -> None:
    running = running_dev
    employees = generate_roster(12, units=1, seed=5)
    roster_id = await store_roster(running, employees)
    org = f"kota-{uuid.uuid4().hex[:6]}"
    cycle = await launch_cycle(
        running.client,
        org=org,
        year=2031,
        roster_id=roster_id,
        policy=POLICY,
        task_queue=running.task_queue,
    )
    for _ in range(100):
        status = await cycle.query(CycleWorkflow.status)
        if status.launch_done:
            break
        await asyncio.sleep(0.05)
    unit = employees[0].unit_code
    try:
        await cycle.execute_update(
            CycleWorkflow.calibrate,
            CalibrateInput(actor_nip=HR, unit_code=unit, unit_rating=UnitRating.BAIK),
        )
    except WorkflowUpdateFailedError as err:
        assert "reviews of" in str(err.cause)
    else:
        raise AssertionError("calibration accepted before any review")
    await cycle.terminate()
