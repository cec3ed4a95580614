"""The policy an appraisal runs under, as its workflow was started with it."""

from __future__ import annotations

from temporalio.client import Client

from appraisal_engine.domain.policy import Policy
from appraisal_engine.services.errors import NotFound
from appraisal_engine.services.workflow_calls import workflow_call
from appraisal_engine.workflows.appraisal.workflow import AppraisalWorkflow
from appraisal_engine.workflows.messages import AppraisalInput


async def policy_of(client: Client, appraisal_id: str) -> Policy:
    """The whole policy from the first event of the appraisal's latest run: a cycle's
    appraisals carry the cycle's, a standalone one its own."""
    handle = client.get_workflow_handle_for(AppraisalWorkflow.run, appraisal_id)
    async with workflow_call():
        async for event in handle.fetch_history_events(page_size=1):
            payloads = event.workflow_execution_started_event_attributes.input.payloads
            (inp,) = await client.data_converter.decode(payloads, [AppraisalInput])
            assert isinstance(inp, AppraisalInput)
            return inp.policy
    raise NotFound("appraisal")
