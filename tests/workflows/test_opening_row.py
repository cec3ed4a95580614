"""The opening read-model row: a cycle's launch stores it for a batch, and an appraisal launched
that way writes none of its own; one started any other way writes the same row itself."""

from __future__ import annotations

import uuid

from temporalio.api.common.v1 import WorkflowExecution
from temporalio.api.enums.v1 import EventType
from temporalio.api.workflowservice.v1 import ResetWorkflowExecutionRequest
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.worker import Replayer

from appraisal_engine.domain.presets import NATIONAL
from appraisal_engine.domain.records import AppraisalRecord, TaskRecord
from appraisal_engine.domain.stages import Stage
from appraisal_engine.simulator.scripted import Actors
from appraisal_engine.store.repositories.appraisals import get_appraisal
from appraisal_engine.store.repositories.tasks import list_tasks
from appraisal_engine.workflows import io
from appraisal_engine.workflows.appraisal.state import opening_record
from appraisal_engine.workflows.appraisal.workflow import AppraisalWorkflow
from tests.faults.checks import eventually
from tests.workflows.conftest import Running
from tests.workflows.driver import appraisal_input, drive, start
from tests.workflows.markers import markers_eventually


async def _row(running: Running, appraisal_id: str) -> AppraisalRecord | None:
    async with running.sessions() as session:
        return await get_appraisal(session, appraisal_id)


async def _first_task_open(running: Running, appraisal_id: str) -> None:
    async def tasks() -> list[TaskRecord]:
        async with running.sessions() as session:
            return await list_tasks(session, appraisal_id=appraisal_id)

    await eventually(tasks, bool, within=10, every=0.05, what=f"a task for {appraisal_id}")


async def _row_eventually(running: Running, appraisal_id: str) -> AppraisalRecord:
    row = await eventually(
        lambda: _row(running, appraisal_id),
        lambda r: r is not None,
        within=10,
        every=0.05,
        what=f"a row for {appraisal_id}",
    )
    assert row is not None
    return row


def writes(markers: list[str]) -> list[str]:
    """The local activities among a history's markers, without the patches it took."""
    return [m for m in markers if not m.startswith("patch:")]


async def test_an_appraisal_started_alone_writes_the_opening_row(running: Running) -> None:
    inp = appraisal_input(NATIONAL)
    handle = await start(running, inp)
    await _first_task_open(running, handle.id)
    row = await _row(running, handle.id)
    assert row is not None
    # What a launch stores for an appraisal is exactly what the appraisal writes for itself.
    assert row == opening_record(inp, handle.id, row.updated_at)
    markers = writes(await markers_eventually(handle, lambda m: len(writes(m)) >= 2))
    assert markers[:2] == [io.SYNC_APPRAISAL, io.UPSERT_TASK]
    await handle.terminate()


async def test_an_appraisal_whose_launch_stored_its_row_writes_none_at_start(
    running: Running,
) -> None:
    inp = appraisal_input(NATIONAL, row_stored=True)
    handle = await start(running, inp)
    await _first_task_open(running, handle.id)
    # Nothing stored the row here, so none exists: the appraisal did not write one.
    assert await _row(running, handle.id) is None
    state = await drive(
        running, handle, Actors(NATIONAL), until=lambda s: s.stage is Stage.MONITORING
    )
    assert state.stage is Stage.MONITORING
    row = await _row(running, handle.id)
    assert row is not None and row.stage == Stage.MONITORING.value  # later moves are written
    markers = writes(await markers_eventually(handle, lambda m: io.SYNC_APPRAISAL in m))
    assert markers[0] == io.UPSERT_TASK  # the draft task, with no row written before it
    assert markers.count(io.SYNC_APPRAISAL) == 1  # the move to monitoring, nothing before it
    await handle.terminate()
    replayer = Replayer(workflows=[AppraisalWorkflow], data_converter=pydantic_data_converter)
    result = await replayer.replay_workflow(
        await handle.fetch_history(), raise_on_replay_failure=False
    )
    assert result.replay_failure is None, result.replay_failure


async def test_a_reset_run_writes_the_opening_row_again(running_dev: Running) -> None:
    # What an earlier run wrote may have moved on: a reset run must not trust the launch's row.
    running = running_dev
    handle = await start(running, appraisal_input(NATIONAL, row_stored=True))
    await _first_task_open(running, handle.id)
    assert await _row(running, handle.id) is None

    async def completed_tasks() -> list[int]:
        history = await handle.fetch_history()
        return [
            e.event_id
            for e in history.events
            if e.event_type == EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED
        ]

    # The task row is written by a local activity before its workflow task completes.
    done = await eventually(completed_tasks, bool, within=10, every=0.05, what="a completed task")
    first_task_done = done[0]
    reset = await running.client.workflow_service.reset_workflow_execution(
        ResetWorkflowExecutionRequest(
            namespace=running.client.namespace,
            workflow_execution=WorkflowExecution(workflow_id=handle.id),
            reason="test: reset to the first workflow task",
            workflow_task_finish_event_id=first_task_done,
            request_id=str(uuid.uuid4()),
        )
    )
    row = await _row_eventually(running, handle.id)
    assert row == opening_record(
        appraisal_input(NATIONAL, row_stored=True), handle.id, row.updated_at
    )
    await running.client.get_workflow_handle(handle.id, run_id=reset.run_id).terminate()
