"""Cascading: tell subordinates' appraisals that their supervisor's targets are approved."""

from __future__ import annotations

from temporalio import activity
from temporalio.client import Client

from appraisal_engine.activities.fanout import signal_each
from appraisal_engine.domain.records import CascadeRequest
from appraisal_engine.workflows import io
from appraisal_engine.workflows.appraisal.workflow import AppraisalWorkflow
from appraisal_engine.workflows.messages import SupervisorTargetsApproved


class CascadeActivities:
    """Signals sibling workflows through the client."""

    def __init__(self, client: Client, *, concurrency: int = 100) -> None:
        self._client, self._concurrency = client, concurrency

    @activity.defn(name=io.CASCADE_TARGETS)
    async def cascade_targets(self, request: CascadeRequest) -> int:
        """Signal every subordinate's appraisal; one not started yet fails the attempt so that
        it retries, as a large cycle may still be launching it; a closed one (cancelled, say)
        needs nothing."""
        msg = SupervisorTargetsApproved(
            supervisor_nip=request.supervisor_nip, targets=request.targets
        )
        return await signal_each(
            self._client,
            AppraisalWorkflow.supervisor_targets_approved,
            ((workflow_id, msg) for workflow_id in request.workflow_ids),
            concurrency=self._concurrency,
        )
