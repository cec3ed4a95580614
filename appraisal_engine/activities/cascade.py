"""Cascading: tell subordinates' appraisals that their supervisor's targets are approved."""

from __future__ import annotations

from temporalio import activity
from temporalio.api.enums.v1 import WorkflowExecutionStatus
from temporalio.client import Client
from temporalio.service import RPCError, RPCStatusCode

from appraisal_engine.domain.records import CascadeRequest

SIGNAL = "supervisor_targets_approved"


class CascadeActivities:
    """Signals sibling workflows through the client."""

    def __init__(self, client: Client) -> None:
        self._client = client

    @activity.defn(name="cascade_targets")
    async def cascade_targets(self, request: CascadeRequest) -> int:
        """Signal every subordinate's appraisal; a missing one fails the attempt so it retries.

        A subordinate's appraisal may not be started yet while a large cycle is launching; a
        closed one (cancelled, say) needs nothing. Signals are idempotent on the receiving side.
        """
        payload = {"supervisor_nip": request.supervisor_nip, "targets": request.targets}
        missing: list[str] = []
        sent = 0
        for workflow_id in request.workflow_ids:
            handle = self._client.get_workflow_handle(workflow_id)
            try:
                desc = await handle.describe()
                if desc.raw_description.workflow_execution_info.status != (
                    WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING
                ):
                    continue
                await handle.signal(SIGNAL, payload)
                sent += 1
            except RPCError as e:
                if e.status is not RPCStatusCode.NOT_FOUND:
                    raise
                missing.append(workflow_id)
        if missing:
            raise RuntimeError(f"{len(missing)} subordinate appraisals not started yet")
        return sent
