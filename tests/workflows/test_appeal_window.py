"""The appeal stage is never seen without its window: the deadline is set before the stage
becomes appeal, so an appeal filed the moment the stage shows is taken (patch
`appeal-opens-with-stage`). Before it, an appraisal in a cycle wrote its row and reported the
new stage to the cycle before it set the deadline, and an employee quick enough in between was
refused with "no appeal window is open (stage appeal)".

The gap was short: after the workflow task that writes the row, until the cycle's signal is
delivered. Queries are held while a workflow task runs, so the test cannot widen it by slowing
the write; it slows the write at the appeal stage only to be sure the stage is written then,
and looks as often as it can. So without the patch it fails only when a look lands in the gap:
in 3 of 5 runs here. With the patch no look can find the stage without the deadline."""

from __future__ import annotations

import asyncio
import dataclasses
import uuid
from collections.abc import Callable
from typing import Any

from temporalio import activity

from appraisal_engine.activities.read_model import ReadModelActivities
from appraisal_engine.appraisal.worker import activities_for, build_worker
from appraisal_engine.domain.projection import StepProjection
from appraisal_engine.domain.records import AppraisalRecord
from appraisal_engine.domain.stages import Stage
from appraisal_engine.workflows.appraisal.workflow import AppraisalWorkflow
from appraisal_engine.workflows.cycle import CycleWorkflow
from appraisal_engine.workflows.io import PROJECT_STEP, SYNC_APPRAISAL
from appraisal_engine.workflows.messages import FileAppealInput
from tests.workflows.conftest import Running
from tests.workflows.cycle_driver import store_roster
from tests.workflows.driver import Actors, drive
from tests.workflows.test_appeals_officer import (
    HEAD_A,
    WITH_OFFICER,
    appraisal,
    calibrate_dinkes,
    employees,
    launch,
    launch_settled,
)

SLOW_S = 1.5


class SlowAtAppeal:
    """The real writes, but a write of the appraisal's row at the appeal stage takes SLOW_S
    first, and is counted."""

    def __init__(self, real: ReadModelActivities) -> None:
        self.real = real
        self.slowed = 0

    async def _slow(self, row: AppraisalRecord | None) -> None:
        if row is not None and row.stage is Stage.APPEAL:
            self.slowed += 1
            await asyncio.sleep(SLOW_S)

    @activity.defn(name=SYNC_APPRAISAL)
    async def sync_appraisal(self, appraisal: AppraisalRecord) -> None:
        await self._slow(appraisal)
        await self.real.sync_appraisal(appraisal)

    @activity.defn(name=PROJECT_STEP)
    async def project_step(self, step: StepProjection) -> None:
        await self._slow(step.appraisal)
        await self.real.project_step(step)


async def test_the_appeal_stage_comes_with_its_window_and_takes_an_appeal_at_once(
    running: Running,
) -> None:
    mine = dataclasses.replace(running, task_queue=f"tq-{uuid.uuid4()}")
    slow = SlowAtAppeal(ReadModelActivities(mine.sessions))
    others = [
        a
        for a in activities_for(mine.client, mine.sessions, task_queue=mine.task_queue)
        if getattr(a, "__name__", "") not in (SYNC_APPRAISAL, PROJECT_STEP)
    ]
    acts: list[Callable[..., Any]] = [slow.sync_appraisal, slow.project_step, *others]
    async with build_worker(mine.client, mine.task_queue, mine.sessions, activities=acts):
        roster_id = await store_roster(mine, employees())
        cycle, cycle_id = await launch(mine, roster_id, WITH_OFFICER)
        assert await launch_settled(cycle) is None
        head = appraisal(mine, cycle_id, HEAD_A)
        actors = Actors(WITH_OFFICER)
        await drive(mine, head, actors, until=lambda s: s.stage is Stage.CALIBRATION)
        progress = (await cycle.query(CycleWorkflow.status)).units["DINKES"]
        await calibrate_dinkes(cycle, progress)
        # The first look at the appeal stage, as soon as it can be seen: no pause between looks.
        began = asyncio.get_running_loop().time()
        while True:
            state = await head.query(AppraisalWorkflow.state)
            if state.stage is Stage.APPEAL:
                break
            assert asyncio.get_running_loop().time() - began < 60, "never reached its appeal"
        assert slow.slowed >= 1
        assert state.appeal_deadline is not None, "the appeal stage without its window"
        filed = await head.execute_update(
            AppraisalWorkflow.file_appeal,
            FileAppealInput(actor_nip=HEAD_A, reason="Capaian triwulan IV belum dipertimbangkan"),
        )
        after = await head.query(AppraisalWorkflow.state)
    assert filed.decide_task_id is not None
    assert after.appeal is not None and after.appeal.reason.startswith("Capaian")
