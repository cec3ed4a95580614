"""The worker is SIGKILLed while a cycle is starting its appraisals in batches: a new worker
finishes the launch, and every appraisal is started exactly once."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from datetime import timedelta

import pytest

from appraisal_engine.simulator.roster import generate_roster
from appraisal_engine.store.models import AppraisalRow
from appraisal_engine.workflows.cycle import CycleWorkflow
from appraisal_engine.workflows.cycle_messages import CycleStatus
from appraisal_engine.workflows.ids import appraisal_workflow_id
from tests.faults.checks import (
    appraisal_runs,
    count_rows,
    cycle_query,
    eventually,
    first_tasks_done,
    inbox,
)
from tests.faults.conftest import Stack
from tests.faults.launch_batches import batch_in_flight, launch_batches

pytestmark = [pytest.mark.slow, pytest.mark.faults]

EMPLOYEES = 300
BATCH = 20


async def test_a_killed_worker_leaves_no_appraisal_unstarted_or_started_twice(
    stack: Stack,
) -> None:
    await asyncio.wait_for(_killed_mid_launch(stack), timeout=200)


async def _killed_mid_launch(stack: Stack) -> None:
    client = stack.client
    employees = generate_roster(EMPLOYEES, units=3, seed=11)
    cycle, cycle_id = await stack.launch(employees, year=2031, batch_size=BATCH)

    async def started() -> int:
        return (await client.count_workflows(cycle_query(cycle_id))).count

    # Kill once a third are started, while a batch is in flight: it has started appraisals (it
    # heartbeats after each) and not yet reported, and its activity dies with the worker.
    # Frozen first, so the batch cannot finish between looking and killing; thawed if it had.
    async def mid_batch() -> bool:
        if await started() < EMPLOYEES // 3 or not await batch_in_flight(client, cycle_id):
            return False
        stack.worker.freeze()
        await asyncio.sleep(0.5)  # whatever the worker had already sent lands
        if await batch_in_flight(client, cycle_id):
            return True
        stack.worker.freeze(False)
        return False

    await eventually(mid_batch, bool, within=60, every=0.02, what="a batch in flight")
    await stack.worker.kill()
    at_kill = await started()
    assert at_kill < EMPLOYEES, "the launch finished before the kill: nothing was tested"
    killed_at = time.monotonic()
    # Nothing tells the server that the batch's worker is gone: the attempt times out when its
    # heartbeats stop (30 s), and the retry runs on the new worker.
    await stack.worker.start(client)

    async def status() -> CycleStatus | None:
        try:
            return await cycle.query(CycleWorkflow.status, rpc_timeout=timedelta(seconds=5))
        except Exception:  # a query can time out while the dead worker's tasks expire
            return None

    done = await eventually(
        status,
        lambda s: s is not None and s.launch_done,
        within=170,
        every=1,
        what="the launch to finish after the kill",
    )
    recovered = time.monotonic() - killed_at
    assert done is not None
    assert done.launched == EMPLOYEES and done.total == EMPLOYEES

    expected = {appraisal_workflow_id(cycle_id, e.nip) for e in employees}
    runs = await eventually(  # visibility may trail the last starts by a moment
        lambda: appraisal_runs(client, cycle_id), lambda r: len(r) >= EMPLOYEES, within=30
    )
    assert set(runs) == expected
    assert [i for i, n in runs.items() if n != 1] == []  # nobody started twice
    # Every appraisal has its read-model row (stored by its batch) and got going on one worker
    # or the other: its first workflow task completed.
    await eventually(
        lambda: count_rows(stack.sessions, AppraisalRow),
        lambda n: n == EMPLOYEES,
        within=60,
        what="a read-model row for every appraisal",
    )
    await eventually(
        lambda: first_tasks_done(client, sorted(expected)),
        lambda n: n == EMPLOYEES,
        within=60,
        every=2,
        what="every appraisal's first workflow task completed",
    )
    # Only the heads draft at once (cascading): one draft each, none twice.
    heads = {e.nip for e in employees if e.supervisor_nip is None}
    tasks = await eventually(
        lambda: inbox(stack.sessions), lambda t: len(t) >= len(heads), within=30
    )
    assert Counter(t.employee_nip for t in tasks) == Counter(heads)

    # The interrupted batches ran again. The one seen heartbeating at the kill had started
    # someone, and its retry found them; a second batch in flight beside it (two go at once)
    # may not have started anyone yet, and its retry starts its whole share.
    batches = await launch_batches(client, cycle_id)
    retried = [r for attempt, r in batches if attempt > 1]
    assert any(r.existing > 0 for r in retried), retried
    assert all(r.existing == 0 for attempt, r in batches if attempt == 1)
    assert sum(r.started + r.existing for _, r in batches) == EMPLOYEES
    print(
        f"\nkilled at {at_kill}/{EMPLOYEES} started; retried {retried};"
        f" launch done {recovered:.0f} s after the kill"
    )
