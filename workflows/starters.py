"""Starting a cycle from a client: the one entry point the command line, the API and the yearly
schedule share. Client code, never imported by workflow code."""

from __future__ import annotations

import contextlib
from datetime import datetime

from temporalio.client import Client, WorkflowHandle
from temporalio.common import WorkflowIDReusePolicy
from temporalio.exceptions import WorkflowAlreadyStartedError

from domain.policy import Policy
from workflows.cycle import CycleWorkflow
from workflows.cycle_messages import CycleInput, CycleSummary
from workflows.ids import cycle_workflow_id

CycleHandle = WorkflowHandle[CycleWorkflow, CycleSummary]


async def launch_cycle(
    client: Client,
    *,
    org: str,
    year: int,
    roster_id: str,
    policy: Policy,
    task_queue: str,
    year_start: datetime | None = None,
    batch_size: int = 2000,
) -> CycleHandle:
    """Start the organisation's cycle for the year, or find the one already running."""
    inp = CycleInput(
        org=org,
        year=year,
        roster_id=roster_id,
        policy=policy,
        year_start=year_start,
        batch_size=batch_size,
    )
    workflow_id = cycle_workflow_id(org, year)
    # Rejecting a duplicate covers a running cycle and a closed one alike: a year has one.
    with contextlib.suppress(WorkflowAlreadyStartedError):
        await client.start_workflow(
            CycleWorkflow.run,
            inp,
            id=workflow_id,
            task_queue=task_queue,
            id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
        )
    return client.get_workflow_handle(workflow_id, result_type=CycleSummary)
