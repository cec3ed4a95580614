"""How a cycle's latest run stands, read from a client: running, completed, or failed and why.
Client code shared by the command line and the API, never imported by workflow code."""

from __future__ import annotations

from typing import Literal

from pydantic import Field
from temporalio.client import (
    Client,
    WorkflowExecution,
    WorkflowExecutionStatus,
    WorkflowFailureError,
)
from temporalio.exceptions import ApplicationError

from appraisal_engine.client.failures import innermost
from appraisal_engine.domain.model import Value

CycleState = Literal[
    "running", "completed", "failed", "canceled", "terminated", "continued_as_new", "timed_out"
]


class CycleFailure(Value):
    """Why a cycle's run failed: the error's type and message (policy fields and NIPs, no names)."""

    type: str = Field(examples=["PolicyIncomplete"])
    message: str = Field(
        examples=["regional_head_nip: the policy names no regional head, who appraises the heads"]
    )


class CycleOutcome(Value):
    """The state of a cycle's run as Temporal holds it, and the failure when it failed."""

    state: CycleState = Field(examples=["running"])
    failure: CycleFailure | None = Field(default=None, description="set when the run failed")


async def outcome_of(client: Client, run: WorkflowExecution) -> CycleOutcome:
    """The state of this run of a cycle, with the failure's type and message if it failed."""
    status = run.status or WorkflowExecutionStatus.RUNNING
    state: CycleState = status.name.lower()  # type: ignore[assignment]
    if status is WorkflowExecutionStatus.TIMED_OUT:
        return CycleOutcome(
            state=state, failure=CycleFailure(type="TimedOut", message="the run timed out")
        )
    if status is not WorkflowExecutionStatus.FAILED:
        return CycleOutcome(state=state)
    handle = client.get_workflow_handle(run.id, run_id=run.run_id)
    try:
        await handle.result(follow_runs=False)
    except WorkflowFailureError as e:
        return CycleOutcome(state=state, failure=_root(e.cause))
    return CycleOutcome(state=state)  # not reached: a failed run has no result


def _root(error: BaseException) -> CycleFailure:
    """The failure under the activity or child that carried it up to the cycle."""
    error = innermost(error)
    if isinstance(error, ApplicationError):
        return CycleFailure(type=error.type or "ApplicationError", message=error.message)
    message = getattr(error, "message", None) or str(error)
    return CycleFailure(type=type(error).__name__, message=message)
