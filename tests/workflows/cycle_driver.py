"""Driving a whole cycle on the dev server: every open task answered from the inbox, each unit
calibrated once it is ready (first refused by the curve, then fixed with reasons)."""

from __future__ import annotations

import asyncio
import math
import uuid
from datetime import timedelta

from temporalio.api.enums.v1 import EventType
from temporalio.client import WorkflowHandle, WorkflowHistory
from temporalio.contrib.pydantic import pydantic_data_converter

from appraisal_engine.domain.calibration import Adjustment
from appraisal_engine.domain.curve import UnitRating
from appraisal_engine.domain.employee import Employee
from appraisal_engine.domain.presets import NATIONAL
from appraisal_engine.domain.ratings import Grade
from appraisal_engine.domain.stages import BEFORE_CALIBRATION
from appraisal_engine.simulator.inbox import answer_tasks, open_tasks, unit_grades
from appraisal_engine.simulator.scripted import APPEALS_OFFICER as APPEALS_OFFICER
from appraisal_engine.simulator.scripted import HR as HR
from appraisal_engine.simulator.scripted import REGIONAL_HEAD as REGIONAL_HEAD
from appraisal_engine.simulator.scripted import Actors
from appraisal_engine.simulator.unit_rating import rate_unit
from appraisal_engine.store.repositories.rosters import add_roster
from appraisal_engine.workflows.cycle import CycleWorkflow
from appraisal_engine.workflows.cycle_messages import (
    CalibrateInput,
    CycleStatus,
    CycleSummary,
    LaunchBatch,
    UnitProgress,
)
from appraisal_engine.workflows.io import LAUNCH_BATCH
from tests.workflows.conftest import Running

# Real time passes on the dev server: the year started a year ago (callers pass that), so every
# period is due, and the appeal window lasts seconds. Everything else is the national policy.
POLICY = NATIONAL.model_copy(
    update={
        "appeal_window_days": timedelta(seconds=3) / timedelta(days=1),
        "regional_head_nip": REGIONAL_HEAD,
        "appeals_officer_nip": APPEALS_OFFICER,
    }
)


def batch_timeline(history: WorkflowHistory) -> list[tuple[str, int, int]]:
    """Each launch batch the run sent and each one that completed, in history order, as
    ("sent" or "done", depth, offset)."""
    scheduled: dict[int, tuple[int, int]] = {}
    timeline = []
    for event in history.events:
        if event.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
            attrs = event.activity_task_scheduled_event_attributes
            if attrs.activity_type.name != LAUNCH_BATCH:
                continue
            (batch,) = pydantic_data_converter.payload_converter.from_payloads(
                attrs.input.payloads, [LaunchBatch]
            )
            scheduled[event.event_id] = (batch.depth, batch.offset)
            timeline.append(("sent", batch.depth, batch.offset))
        elif event.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED:
            key = event.activity_task_completed_event_attributes.scheduled_event_id
            if key in scheduled:
                timeline.append(("done", *scheduled[key]))
    return timeline


def batches_at_once(timeline: list[tuple[str, int, int]]) -> int:
    """The most launch batches in flight together; fails if one depth's batch went out while
    a batch above it was still in flight."""
    in_flight: set[tuple[int, int]] = set()
    most = 0
    for kind, depth, offset in timeline:
        if kind == "done":
            in_flight.remove((depth, offset))
            continue
        above = sorted(d for d, _ in in_flight if d < depth)
        assert not above, f"a batch of depth {depth} went out before depth {above[0]} was done"
        in_flight.add((depth, offset))
        most = max(most, len(in_flight))
    return most


async def store_roster(running: Running, employees: list[Employee]) -> str:
    """Store a roster snapshot under a fresh id."""
    roster_id = f"roster-{uuid.uuid4().hex[:10]}"
    async with running.sessions() as session, session.begin():
        await add_roster(session, roster_id, "kota-uji", employees, checksum=roster_id)
    return roster_id


async def drive_cycle(
    running: Running,
    cycle: WorkflowHandle[CycleWorkflow, CycleSummary],
    cycle_id: str,
    rejected: dict[str, int],
) -> CycleStatus:
    """Answer every task and calibrate every unit until the cycle closes; `rejected` collects
    the number of curve violations of each unit's first attempt."""
    actors = Actors(POLICY)

    async def calibrate(unit: str, progress: UnitProgress) -> None:
        # HR proposes, the unit's official decides; a cycle before that takes HR's rating.
        typed = await rate_unit(cycle, unit, progress, UnitRating.BAIK, hr_nip=HR)
        first = await cycle.execute_update(
            CycleWorkflow.calibrate,
            CalibrateInput(actor_nip=HR, unit_code=unit, unit_rating=typed),
        )
        assert first.released == 0 and first.violations  # everyone Baik breaks the curve
        rejected[unit] = len(first.violations)
        grades = await unit_grades(running.sessions, cycle_id, unit)
        ids = sorted(g.appraisal_id for g in grades)
        raise_to = math.ceil(0.3 * len(ids))
        adjustments = [
            Adjustment(appraisal_id=i, grade=Grade.SANGAT_BAIK, reason="capaian melampaui target")
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
                actor_nip=HR, unit_code=unit, unit_rating=typed, adjustments=adjustments
            ),
        )
        assert second.violations == [] and second.released == len(ids)

    for _ in range(600):
        status: CycleStatus = await cycle.query(CycleWorkflow.status)
        if status.closed:
            return status
        tasks = await open_tasks(running.sessions, cycle_id)
        await answer_tasks(running.client, tasks, actors.body)
        ready = [
            u
            for u, p in status.units.items()
            if status.launch_done
            and u not in rejected
            and sum(p.stages.get(s, 0) for s in BEFORE_CALIBRATION) == 0
        ]
        for unit in ready:
            await calibrate(unit, status.units[unit])
        if not tasks and not ready:
            await asyncio.sleep(0.2)
    raise AssertionError("the cycle did not close")
