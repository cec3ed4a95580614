"""The opening read-model row: a cycle's launch stores it for a batch, and an appraisal launched
that way writes none of its own; one started any other way writes the same row itself."""

from __future__ import annotations

import asyncio

from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.worker import Replayer

from appraisal.scripted import Actors
from domain.presets import NATIONAL
from domain.records import AppraisalRecord
from store.repositories.appraisals import get_appraisal
from store.repositories.tasks import list_tasks
from tests.workflows.conftest import Running
from tests.workflows.driver import appraisal_input, drive, start
from tests.workflows.markers import markers_of
from workflows import io
from workflows.appraisal import AppraisalWorkflow
from workflows.messages import Stage
from workflows.opening import LAUNCH_STORES_ROW, opening_record


async def _row(running: Running, appraisal_id: str) -> AppraisalRecord | None:
    async with running.sessions() as session:
        return await get_appraisal(session, appraisal_id)


async def _first_task_open(running: Running, appraisal_id: str) -> None:
    for _ in range(200):
        async with running.sessions() as session:
            if await list_tasks(session, appraisal_id=appraisal_id):
                return
        await asyncio.sleep(0.05)
    raise AssertionError(f"no task opened for {appraisal_id}")


async def test_an_appraisal_started_alone_writes_the_opening_row(running: Running) -> None:
    inp = appraisal_input(NATIONAL)
    handle = await start(running, inp)
    await _first_task_open(running, handle.id)
    row = await _row(running, handle.id)
    assert row is not None
    # What a launch stores for an appraisal is exactly what the appraisal writes for itself.
    assert row == opening_record(inp, handle.id, row.updated_at)
    history = await handle.fetch_history()
    assert markers_of(history)[:2] == [io.SYNC_APPRAISAL, io.UPSERT_TASK]
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
    history = await handle.fetch_history()
    markers = markers_of(history)
    assert markers[:2] == [f"patch:{LAUNCH_STORES_ROW}", io.UPSERT_TASK]
    assert markers.count(io.SYNC_APPRAISAL) == 1  # the move to monitoring, nothing before it
    await handle.terminate()
    replayer = Replayer(workflows=[AppraisalWorkflow], data_converter=pydantic_data_converter)
    result = await replayer.replay_workflow(
        await handle.fetch_history(), raise_on_replay_failure=False
    )
    assert result.replay_failure is None, result.replay_failure
