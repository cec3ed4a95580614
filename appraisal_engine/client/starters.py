"""Starting a cycle from a client: the one entry point the command line, the API and the yearly
schedule share. Client code, never imported by workflow code."""

from __future__ import annotations

import contextlib
from datetime import datetime

from temporalio.client import Client, WorkflowHandle
from temporalio.common import WorkflowIDReusePolicy
from temporalio.exceptions import WorkflowAlreadyStartedError

from appraisal_engine.domain.policy import Policy
from appraisal_engine.workflows.cycle import CycleWorkflow
from appraisal_engine.workflows.cycle_messages import CycleInput, CycleSummary
from appraisal_engine.workflows.ids import cycle_workflow_id

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
    """Start the organisation's cycle for the year, or find the one running or completed (a
    failed one is started again)."""
    inp = CycleInput(
        org=org,
        year=year,
        roster_id=roster_id,
        policy=policy,
        year_start=year_start,
        batch_size=batch_size,
    )
    workflow_id = cycle_workflow_id(org, year)
    # A running or completed cycle is found, not started again: a year has one. One that
    # failed, or was terminated or cancelled, is started anew under the same id; its launch
    # finds the appraisals the failed run had started (their ids are the same) and starts
    # only the others.
    with contextlib.suppress(WorkflowAlreadyStartedError):
        await client.start_workflow(
            CycleWorkflow.run,
            inp,
            id=workflow_id,
            task_queue=task_queue,
            id_reuse_policy=WorkflowIDReusePolicy.ALLOW_DUPLICATE_FAILED_ONLY,
        )
    return client.get_workflow_handle(workflow_id, result_type=CycleSummary)
