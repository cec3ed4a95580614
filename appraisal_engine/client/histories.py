"""An appraisal's event histories as Temporal holds them: every run of it, to read its timeline,
and one run's raw JSON for export, peers' answers kept to auditors."""

from __future__ import annotations

from temporalio.client import Client, WorkflowHistory

from appraisal_engine.client.peer_answers import redact_history


async def fetch_runs(client: Client, workflow_id: str) -> list[WorkflowHistory]:
    """Every run of a workflow, oldest first, following continue-as-new back from the latest."""
    runs: list[WorkflowHistory] = []
    run_id: str | None = None
    while True:
        history = await client.get_workflow_handle(workflow_id, run_id=run_id).fetch_history()
        runs.insert(0, history)
        run_id = history.events[
            0
        ].workflow_execution_started_event_attributes.continued_execution_run_id
        if not run_id:
            return runs


async def export_history_json(
    client: Client, workflow_id: str, run_id: str | None = None, *, reveal_answers: bool = False
) -> str:
    """The raw history as Temporal's JSON, as `temporal workflow show --output json` has it;
    unless `reveal_answers`, each payload holding a peer's answers is replaced by a redacted
    one (encoded as the rest), so such a history no longer replays."""
    history = await client.get_workflow_handle(workflow_id, run_id=run_id).fetch_history()
    if not reveal_answers:
        await redact_history(history, client.data_converter.payload_codec)
    return history.to_json()
