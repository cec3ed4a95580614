"""A city's cycle on the real dev server: launch, every task, calibration, the closing summary."""

from __future__ import annotations

import asyncio
import math
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from temporalio.client import WorkflowUpdateFailedError
from temporalio.service import RPCError, RPCStatusCode
from temporalio.testing import ActivityEnvironment

from activities.cycle import CycleActivities
from appraisal.generate import generate_roster
from appraisal.scripted import Actors
from domain.curve import UnitRating
from domain.employee import Employee
from domain.presets import NATIONAL
from domain.ratings import Grade
from domain.records import TaskStatus
from store.models import TaskRow
from store.repositories.rosters import add_roster
from tests.workflows.conftest import Running
from workflows.appraisal import AppraisalWorkflow
from workflows.cycle import CycleWorkflow
from workflows.cycle_messages import (
    Adjustment,
    CalibrateInput,
    CycleStatus,
    LaunchBatch,
    PlanRequest,
    UnitGrade,
    UnitQuery,
)
from workflows.messages import CompleteTaskInput
from workflows.starters import launch_cycle

HR = "197001012000011001"
REGIONAL_HEAD = "196501011990011001"
# Real time passes on the dev server: the year started a year ago, so every period is due, and
# the appeal window lasts seconds. Everything else is the national policy.
POLICY = NATIONAL.model_copy(
    update={"appeal_window_days": 3 / 86400, "regional_head_nip": REGIONAL_HEAD}
)


async def store_roster(running: Running, employees: list[Employee]) -> str:
    roster_id = f"roster-{uuid.uuid4().hex[:10]}"
    async with running.sessions() as session, session.begin():
        await add_roster(session, roster_id, "kota-uji", employees, checksum=roster_id)
    return roster_id


async def open_tasks(running: Running, cycle_id: str) -> list[TaskRow]:
    async with running.sessions() as session:
        rows = await session.scalars(
            select(TaskRow).where(
                TaskRow.cycle_id == cycle_id, TaskRow.status == TaskStatus.OPEN.value
            )
        )
        return list(rows)


async def test_a_cycle_from_launch_to_summary(running_dev: Running) -> None:
    running = running_dev
    employees = generate_roster(160, units=4, seed=7)
    roster_id = await store_roster(running, employees)
    year = 2000 + uuid.uuid4().int % 90
    org = f"kota-{uuid.uuid4().hex[:6]}"
    cycle = await launch_cycle(
        running.client,
        org=org,
        year=year,
        roster_id=roster_id,
        policy=POLICY,
        task_queue=running.task_queue,
        year_start=datetime.now(UTC) - timedelta(days=366),
        batch_size=50,
    )
    again = await launch_cycle(
        running.client,
        org=org,
        year=year,
        roster_id=roster_id,
        policy=POLICY,
        task_queue=running.task_queue,
    )
    run_id = (await cycle.describe()).run_id
    assert (await again.describe()).run_id == run_id  # launching twice finds the same cycle
    cycle_id = f"{org}-{year}"
    actors = Actors(POLICY)
    gate = asyncio.Semaphore(24)
    rejected: dict[str, int] = {}

    async def answer(row: TaskRow) -> None:
        body = actors.body(row_record(row))
        if body is None:
            return
        async with gate:
            await running.client.get_workflow_handle(row.appraisal_id).execute_update(
                AppraisalWorkflow.complete_task,
                CompleteTaskInput(task_id=row.id, actor_nip=row.assignee_nip, body=body),
            )

    async def calibrate(unit: str) -> None:
        first = await cycle.execute_update(
            CycleWorkflow.calibrate,
            CalibrateInput(actor_nip=HR, unit_code=unit, unit_rating=UnitRating.BAIK),
        )
        assert first.released == 0 and first.violations  # everyone Baik breaks the curve
        rejected[unit] = len(first.violations)
        grades = await unit_grades(running, cycle_id, unit)
        ids = sorted(g.appraisal_id for g in grades)
        raise_to = math.ceil(0.3 * len(ids))
        adjustments = [
            Adjustment(
                appraisal_id=i, grade=Grade.SANGAT_BAIK, reason="capaian melampaui target unit"
            )
            for i in ids[:raise_to]
        ]
        adjustments.append(
            Adjustment(
                appraisal_id=ids[-1],
                grade=Grade.BUTUH_PERBAIKAN,
                reason="dua target utama tidak tercapai",
            )
        )
        second = await cycle.execute_update(
            CycleWorkflow.calibrate,
            CalibrateInput(
                actor_nip=HR, unit_code=unit, unit_rating=UnitRating.BAIK, adjustments=adjustments
            ),
        )
        assert second.violations == [] and second.released == len(ids)

    for _ in range(600):
        status: CycleStatus = await cycle.query(CycleWorkflow.status)
        if status.closed:
            break
        rows = await open_tasks(running, cycle_id)
        await asyncio.gather(*(answer(r) for r in rows))
        ready = [
            u
            for u, p in status.units.items()
            if status.launch_done
            and u not in rejected
            and sum(p.stages.get(s, 0) for s in ("targets", "monitoring", "review")) == 0
        ]
        for unit in ready:
            await calibrate(unit)
        if not rows and not ready:
            await asyncio.sleep(0.2)
    summary = await cycle.result()
    relaunched = await launch_cycle(
        running.client,
        org=org,
        year=year,
        roster_id=roster_id,
        policy=POLICY,
        task_queue=running.task_queue,
    )
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


def row_record(row: TaskRow):
    from domain.records import TaskRecord

    return TaskRecord.model_validate(row, from_attributes=True)


async def unit_grades(running: Running, cycle_id: str, unit: str) -> list[UnitGrade]:
    acts = CycleActivities(running.client, running.sessions, running.task_queue)
    return await ActivityEnvironment().run(
        acts.unit_grades, UnitQuery(cycle_id=cycle_id, unit_code=unit)
    )


async def test_a_retried_batch_starts_nobody_twice(running_dev: Running) -> None:
    running = running_dev
    employees = generate_roster(40, units=2, seed=3)
    roster_id = await store_roster(running, employees)
    acts = CycleActivities(running.client, running.sessions, running.task_queue)
    env = ActivityEnvironment()
    plan = await env.run(
        acts.plan_launch, PlanRequest(roster_id=roster_id, top_appraiser_nip=REGIONAL_HEAD)
    )
    cycle_id = f"retry-{uuid.uuid4().hex[:8]}"
    batch = LaunchBatch(
        cycle_id=cycle_id,
        cycle_workflow_id=f"cycle-{cycle_id}",
        roster_id=roster_id,
        policy=POLICY,
        year_start=datetime.now(UTC),
        depth=len(plan.depth_counts) - 1,
        offset=0,
        limit=1000,
    )
    first = await env.run(acts.launch_batch, batch)
    second = await env.run(acts.launch_batch, batch)
    assert first.started == plan.depth_counts[-1] and first.existing == 0
    assert second.started == 0 and second.existing == first.started
    stopped = 0
    for e in employees:  # leave nothing running: only the deepest level was started
        try:
            await running.client.get_workflow_handle(f"appraisal-{cycle_id}-{e.nip}").terminate()
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
