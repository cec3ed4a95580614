"""The yearly schedule: created, listed, paused, and when it fires it launches the year's cycle
from the organisation's latest roster, idempotently."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime

import pytest
from temporalio.service import RPCError, RPCStatusCode

from appraisal_engine.appraisal.schedules import (
    create_yearly,
    list_yearly,
    pause_yearly,
    schedule_id_for,
)
from appraisal_engine.client.starters import launch_cycle
from appraisal_engine.domain.presets import NATIONAL
from appraisal_engine.simulator.roster import generate_roster
from appraisal_engine.store.repositories.rosters import add_roster
from appraisal_engine.workflows.cycle import CycleWorkflow
from appraisal_engine.workflows.cycle_messages import CycleSummary
from appraisal_engine.workflows.ids import cycle_workflow_id
from tests.faults.checks import eventually
from tests.workflows.conftest import Running

REGIONAL_HEAD = "196501011990011001"
APPEALS_OFFICER = "196601011985031001"


@pytest.mark.usefixtures("english")
async def test_a_triggered_schedule_launches_this_years_cycle_once(running_dev: Running) -> None:
    running = running_dev
    org = f"kota-{uuid.uuid4().hex[:6]}"
    for n in (10, 14):  # the later snapshot is the one launched
        async with running.sessions() as session, session.begin():
            await add_roster(
                session,
                f"{org}-r{n}",
                org,
                generate_roster(n, units=1, seed=n),
                checksum=f"c{n}",
                created_at=datetime(2026, 1, n, tzinfo=UTC),
            )
    policy = NATIONAL.model_copy(
        update={"regional_head_nip": REGIONAL_HEAD, "appeals_officer_nip": APPEALS_OFFICER}
    )
    schedule_id = await create_yearly(
        running.client, org=org, policy=policy, task_queue=running.task_queue, month=1, day=2
    )
    assert schedule_id == schedule_id_for(org)
    # Schedules are listed from visibility, which may trail the creation by a moment.
    listed = await eventually(
        lambda: list_yearly(running.client),
        lambda lines: any(line.startswith(f"{schedule_id}\tactive\tnext ") for line in lines),
        within=15,
        what="the new schedule listed as active",
    )
    assert any(line.startswith(f"{schedule_id}\tactive\tnext ") for line in listed)

    handle = running.client.get_schedule_handle(schedule_id)
    await handle.trigger()
    cycle = running.client.get_workflow_handle(
        cycle_workflow_id(org, datetime.now(UTC).year), result_type=CycleSummary
    )
    for _ in range(200):
        try:
            status = await cycle.query(CycleWorkflow.status)
            if status.launch_done:
                break
        except RPCError as err:  # the launcher has not started the cycle yet
            assert err.status is RPCStatusCode.NOT_FOUND
        await asyncio.sleep(0.05)
    assert status.total == 14 and status.launched == 14
    first_run = (await cycle.describe()).run_id

    again = await launch_cycle(
        running.client,
        org=org,
        year=datetime.now(UTC).year,
        roster_id=f"{org}-r10",
        policy=policy,
        task_queue=running.task_queue,
    )
    assert (await again.describe()).run_id == first_run  # the year's cycle, found again

    await pause_yearly(running.client, schedule_id, "tahun anggaran ditunda")
    described = await handle.describe()
    assert described.schedule.state.paused
    assert described.schedule.state.note == "tahun anggaran ditunda"
    await handle.delete()
    await cycle.terminate()
