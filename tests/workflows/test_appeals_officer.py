"""The heads at the top of a roster, whom the regional head appraises, appeal to the policy's
appeals officer, never to the regional head who wrote their review; a cycle whose policy names
no officer is refused before any appraisal starts. Under the time-skipping server."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta

import pytest
from temporalio.client import (
    WorkflowExecutionStatus,
    WorkflowFailureError,
    WorkflowHandle,
    WorkflowUpdateFailedError,
)
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.exceptions import ApplicationError
from temporalio.service import RPCError, RPCStatusCode
from temporalio.testing import ActivityEnvironment
from temporalio.worker import Replayer

from appraisal_engine.activities.launch import LaunchActivities
from appraisal_engine.activities.rosters import RosterCache
from appraisal_engine.client.failures import innermost
from appraisal_engine.client.starters import CycleHandle, launch_cycle
from appraisal_engine.domain.curve import UnitRating
from appraisal_engine.domain.employee import Employee, PositionLevel
from appraisal_engine.domain.policy import Policy
from appraisal_engine.domain.presets import NATIONAL
from appraisal_engine.domain.records import TaskStatus
from appraisal_engine.domain.stages import Stage
from appraisal_engine.domain.tasks import TaskKind
from appraisal_engine.simulator.scripted import APPEALS_OFFICER, HR, REGIONAL_HEAD
from appraisal_engine.simulator.unit_rating import rate_unit
from appraisal_engine.store.repositories.appraisals import get_appraisal
from appraisal_engine.workflows import ids
from appraisal_engine.workflows.appraisal.workflow import APPEALS_APART, AppraisalWorkflow
from appraisal_engine.workflows.cycle import CycleWorkflow
from appraisal_engine.workflows.cycle_messages import (
    CalibrateInput,
    CycleStatus,
    PlanRequest,
    UnitProgress,
)
from appraisal_engine.workflows.messages import (
    AppealDecideBody,
    AppraisalResult,
    AppraisalState,
    CompleteTaskInput,
    FileAppealInput,
)
from tests.workflows.conftest import Running
from tests.workflows.cycle_driver import store_roster
from tests.workflows.driver import Actors, appraisal_input, drive, nip, opened, start
from tests.workflows.markers import markers_of

HEAD_A, HEAD_B, STAFF = nip(101), nip(102), nip(103, sex=2)
WITHOUT_OFFICER = NATIONAL.model_copy(update={"regional_head_nip": REGIONAL_HEAD})
WITH_OFFICER = WITHOUT_OFFICER.model_copy(update={"appeals_officer_nip": APPEALS_OFFICER})


def employees() -> list[Employee]:
    """Two heads of office at the top; STAFF, under HEAD_A, heads a unit of their own."""

    def emp(n: str, unit: str, sup: str | None) -> Employee:
        return Employee(
            nip=n,
            name=f"Pegawai {n[-3:]}",
            unit_code=unit,
            unit_name=f"Unit {unit}",
            position="Kepala",
            position_level=PositionLevel.JPT if sup is None else PositionLevel.ADMINISTRATOR,
            supervisor_nip=sup,
        )

    return [emp(HEAD_A, "DINKES", None), emp(HEAD_B, "DISDIK", None), emp(STAFF, "RSUD", HEAD_A)]


async def launch(running: Running, roster_id: str, policy: Policy) -> tuple[CycleHandle, str]:
    org = f"kota-{uuid.uuid4().hex[:6]}"
    year_start = await running.env.get_current_time()
    cycle = await launch_cycle(
        running.client,
        org=org,
        year=2031,
        roster_id=roster_id,
        policy=policy,
        task_queue=running.task_queue,
        year_start=year_start,
    )
    return cycle, ids.cycle_id(org, 2031)


async def launch_settled(cycle: CycleHandle) -> WorkflowExecutionStatus | None:
    """Poll until the launch is done (None) or the cycle has closed (its status)."""
    for _ in range(600):
        status = (await cycle.describe()).status
        if status is not WorkflowExecutionStatus.RUNNING:
            return status
        progress: CycleStatus = await cycle.query(CycleWorkflow.status)
        if progress.launch_done:
            return None
        await asyncio.sleep(0.05)
    raise AssertionError("the launch neither finished nor failed")


Handle = WorkflowHandle[AppraisalWorkflow, AppraisalResult]


async def calibrate_dinkes(cycle: CycleHandle, progress: UnitProgress) -> None:
    """DINKES's rating decided as Istimewa and the unit calibrated by HR, asked again until the
    cycle has counted the head's review (once the appraisal's signal is in)."""
    typed = await rate_unit(cycle, "DINKES", progress, UnitRating.ISTIMEWA, hr_nip=HR)
    for _ in range(100):
        try:
            await cycle.execute_update(
                CycleWorkflow.calibrate,
                CalibrateInput(actor_nip=HR, unit_code="DINKES", unit_rating=typed),
            )
            return
        except WorkflowUpdateFailedError:
            await asyncio.sleep(0.1)
    raise AssertionError("the unit never opened for calibration")


def appraisal(running: Running, cycle_id: str, who: str) -> Handle:
    return running.client.get_workflow_handle_for(
        AppraisalWorkflow.run, ids.appraisal_workflow_id(cycle_id, who)
    )


async def test_heads_at_the_top_without_an_appeals_officer_refuse_the_launch(
    running: Running,
) -> None:
    roster_id = await store_roster(running, employees())
    acts = LaunchActivities(
        running.client, running.sessions, running.task_queue, RosterCache(running.sessions)
    )
    with pytest.raises(ApplicationError) as refused:
        await ActivityEnvironment().run(
            acts.plan_launch, PlanRequest(roster_id=roster_id, top_appraiser_nip=REGIONAL_HEAD)
        )
    assert refused.value.type == "PolicyIncomplete" and refused.value.non_retryable
    message = str(refused.value)
    assert "appeals_officer_nip" in message and HEAD_A in message and HEAD_B in message
    assert STAFF not in message and "Pegawai" not in message

    cycle, cycle_id = await launch(running, roster_id, WITHOUT_OFFICER)
    assert await launch_settled(cycle) is WorkflowExecutionStatus.FAILED
    with pytest.raises(WorkflowFailureError) as failed:
        await cycle.result()
    cause = innermost(failed.value)  # the cycle fails of its plan activity's error
    assert isinstance(cause, ApplicationError) and cause.type == "PolicyIncomplete"
    assert "appeals_officer_nip" in str(cause) and HEAD_A in str(cause)
    for who in (HEAD_A, HEAD_B, STAFF):  # nothing started
        with pytest.raises(RPCError) as missing:
            await appraisal(running, cycle_id, who).describe()
        assert missing.value.status is RPCStatusCode.NOT_FOUND


async def test_the_heads_appeal_is_decided_by_the_appeals_officer(running: Running) -> None:
    roster_id = await store_roster(running, employees())
    cycle, cycle_id = await launch(running, roster_id, WITH_OFFICER)
    assert await launch_settled(cycle) is None
    chains = {}
    for who in (HEAD_A, HEAD_B, STAFF):
        state: AppraisalState = await appraisal(running, cycle_id, who).query(
            AppraisalWorkflow.state
        )
        chains[who] = (state.supervisor_nip, state.superior_nip)
    assert chains == {
        HEAD_A: (REGIONAL_HEAD, APPEALS_OFFICER),
        HEAD_B: (REGIONAL_HEAD, APPEALS_OFFICER),
        STAFF: (HEAD_A, REGIONAL_HEAD),
    }
    async with running.sessions() as session:
        row = await get_appraisal(session, ids.appraisal_workflow_id(cycle_id, HEAD_A))
    assert row is not None and row.superior_nip == APPEALS_OFFICER  # who may read it

    head = appraisal(running, cycle_id, HEAD_A)
    actors = Actors(WITH_OFFICER)
    await drive(running, head, actors, until=lambda s: s.stage is Stage.CALIBRATION)
    # The regional head, one level up from the head of DINKES, decides the unit's rating.
    progress = (await cycle.query(CycleWorkflow.status)).units["DINKES"]
    assert progress.rater_nip == REGIONAL_HEAD
    await calibrate_dinkes(cycle, progress)
    state = await drive(running, head, actors, until=lambda s: s.stage is Stage.APPEAL)
    await head.execute_update(
        AppraisalWorkflow.file_appeal,
        FileAppealInput(actor_nip=HEAD_A, reason="Capaian triwulan IV belum dipertimbangkan"),
    )
    state = await head.query(AppraisalWorkflow.state)
    [task] = [
        t for t in state.tasks if t.kind is TaskKind.APPEAL_DECIDE and t.status is TaskStatus.OPEN
    ]
    assert task.assignee_nip == APPEALS_OFFICER
    await head.execute_update(
        AppraisalWorkflow.complete_task,
        CompleteTaskInput(
            task_id=task.id,
            actor_nip=APPEALS_OFFICER,
            body=AppealDecideBody(decision="uphold", reason="Nilai sesuai bukti dukung"),
        ),
    )
    state = await head.query(AppraisalWorkflow.state)
    assert state.appeal is not None and state.appeal.decided_by == APPEALS_OFFICER
    result = await head.result()
    assert result.stage is Stage.DONE and result.grade_final == state.appeal.grade_after
    await cycle.terminate(reason="test over")
    for who in (HEAD_B, STAFF):
        await appraisal(running, cycle_id, who).terminate(reason="test over")


async def test_a_standalone_appraisal_hears_appeals_apart_from_its_appraiser(
    running: Running,
) -> None:
    same = {"supervisor_nip": REGIONAL_HEAD, "superior_nip": REGIONAL_HEAD}
    handle = await start(running, appraisal_input(WITH_OFFICER, **same))
    state = await opened(handle)
    assert (state.supervisor_nip, state.superior_nip) == (REGIONAL_HEAD, APPEALS_OFFICER)
    async with running.sessions() as session:
        row = await get_appraisal(session, handle.id)
    assert row is not None and row.superior_nip == APPEALS_OFFICER
    await handle.terminate(reason="test over")
    histories = [await handle.fetch_history()]

    handle = await start(running, appraisal_input(WITHOUT_OFFICER, **same))
    with pytest.raises(WorkflowFailureError) as failed:
        await asyncio.wait_for(handle.result(), timeout=timedelta(minutes=1).total_seconds())
    assert isinstance(failed.value.cause, ApplicationError)
    assert failed.value.cause.type == "PolicyIncomplete"
    assert "appeals_officer_nip" in str(failed.value.cause)
    histories.append(await handle.fetch_history())

    replayer = Replayer(workflows=[AppraisalWorkflow], data_converter=pydantic_data_converter)
    for history in histories:  # both paths replay on the code that recorded them
        assert f"patch:{APPEALS_APART}" in markers_of(history)
        replayed = await replayer.replay_workflow(history, raise_on_replay_failure=False)
        assert replayed.replay_failure is None, replayed.replay_failure
