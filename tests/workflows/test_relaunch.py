"""A year whose cycle failed midway is launched again: a new run of the same cycle that starts
nobody the failed run had already started."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio import activity
from temporalio.client import WorkflowExecutionStatus, WorkflowFailureError
from temporalio.exceptions import ApplicationError
from temporalio.testing import WorkflowEnvironment

from appraisal_engine.activities.notify import LoggingNotifier
from appraisal_engine.appraisal.worker import activities_for, build_worker
from appraisal_engine.client.starters import launch_cycle
from appraisal_engine.domain.roster import validate_roster
from appraisal_engine.simulator.roster import generate_roster
from appraisal_engine.workflows import ids
from appraisal_engine.workflows.cycle import CycleWorkflow
from appraisal_engine.workflows.cycle_messages import CycleSummary, LaunchBatch, LaunchResult
from appraisal_engine.workflows.io import LAUNCH_BATCH
from tests.faults.checks import eventually, store_roster
from tests.workflows.cycle_driver import POLICY, REGIONAL_HEAD


class FailsAfterDepthOne:
    """The real launch batch, except that the first batch of depth 1 fails for good once it
    has started its appraisals, as a launch that breaks midway."""

    def __init__(self, real: object) -> None:
        self._real = real
        self.failed = False
        self.results: list[tuple[str, LaunchResult]] = []  # (cycle run id, result)

    @activity.defn(name=LAUNCH_BATCH)
    async def launch_batch(self, batch: LaunchBatch) -> LaunchResult:
        """Start the batch; fail the first one at depth 1 after its starts."""
        result: LaunchResult = await self._real(batch)  # type: ignore[operator]
        self.results.append((activity.info().workflow_run_id or "", result))
        if batch.depth == 1 and not self.failed:
            self.failed = True
            raise ApplicationError("the launch broke", type="LaunchBroke", non_retryable=True)
        return result


async def test_a_relaunch_after_a_failure_midway_starts_each_appraisal_once(
    dev_env: WorkflowEnvironment, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    employees = generate_roster(30, units=2, seed=11)
    depths = validate_roster(
        [e.model_dump(mode="json") for e in employees], top_appraiser_nip=REGIONAL_HEAD
    ).launch_order()
    assert len(depths) >= 3  # some depth is left to launch after the one that fails
    roster_id = await store_roster(session_factory, "kota-uji", employees)
    queue = f"tq-{uuid.uuid4()}"
    client = dev_env.client
    acts = list(activities_for(client, session_factory, LoggingNotifier(), task_queue=queue))
    real = next(a for a in acts if getattr(a, "__name__", "") == "launch_batch")
    failing = FailsAfterDepthOne(real)
    acts = [a for a in acts if a is not real] + [failing.launch_batch]
    org = f"kota-{uuid.uuid4().hex[:6]}"
    cycle_id = ids.cycle_id(org, 2033)

    async def launch() -> str:
        handle = await launch_cycle(
            client,
            org=org,
            year=2033,
            roster_id=roster_id,
            policy=POLICY,
            task_queue=queue,
            year_start=datetime.now(UTC) - timedelta(days=30),
        )
        return (await handle.describe()).run_id

    async with build_worker(client, queue, session_factory, activities=acts):
        first_run = await launch()
        first = client.get_workflow_handle(ids.workflow_id_of_cycle(cycle_id), run_id=first_run)
        with pytest.raises(WorkflowFailureError):
            await first.result()
        started_first = sum(r.started for run, r in failing.results if run == first_run)
        assert started_first == len(depths[0]) + len(depths[1]) < len(employees)

        second_run = await launch()
        assert second_run != first_run  # a new run of the same cycle
        cycle = client.get_workflow_handle(
            ids.workflow_id_of_cycle(cycle_id), result_type=CycleSummary
        )
        status = await eventually(
            lambda: cycle.query(CycleWorkflow.status),
            lambda s: s.launch_done,
            within=60,
            what="the relaunched cycle's launch",
        )
        assert status.launched == len(employees) and status.total == len(employees)
        again = await launch()
        assert again == second_run  # a running cycle is found, not started again
        assert (await cycle.describe()).status is WorkflowExecutionStatus.RUNNING

    # Those the failed run started are found, not started again; each appraisal started once.
    second = [r for run, r in failing.results if run == second_run]
    assert sum(r.existing for r in second) == started_first
    assert sum(r.started for r in second) == len(employees) - started_first
    assert sum(r.started for _, r in failing.results) == len(employees)
    query = f"AppraisalCycle = '{cycle_id}'"
    count = await eventually(
        lambda: client.count_workflows(query),
        lambda c: c.count >= len(employees),
        within=15,
        what="every appraisal listed",
    )
    assert count.count == len(employees)
    for e in employees:
        await client.get_workflow_handle(ids.appraisal_workflow_id(cycle_id, e.nip)).terminate()
    await cycle.terminate()
