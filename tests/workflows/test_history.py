"""Decoding histories into typed records: every committed history reads whole, and whatever no
workflow of ours records is an error, never skipped."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from temporalio.client import WorkflowHistory

from appraisal_engine.domain.records import AuditEvent, MentorMatch, Notification
from appraisal_engine.workflows import io
from appraisal_engine.workflows.history import UnknownEvent, decode_events
from appraisal_engine.workflows.history_records import LocalActivity, Scheduled, Started
from appraisal_engine.workflows.vocabulary import ACTIVITY_INPUTS, LOCAL_RESULTS

HISTORIES = Path(__file__).resolve().parent.parent / "histories"
Edit = Callable[[dict[str, Any]], None]


@pytest.mark.parametrize("path", sorted(HISTORIES.glob("*.json")), ids=lambda p: p.stem)
async def test_every_committed_history_decodes_whole(path: Path) -> None:
    records = await decode_events(load(path.stem).events)
    assert isinstance(records[0], Started) and records[0].input is not None


def test_typed_payloads_are_of_activities_the_appraisal_calls() -> None:
    assert set(ACTIVITY_INPUTS) | set(LOCAL_RESULTS) <= io.APPRAISAL_ACTIVITY_NAMES


async def test_activities_decode_to_their_own_types() -> None:
    records = await decode_events(load("appraisal-history-timers").events)
    scheduled = {type(r.input) for r in records if isinstance(r, Scheduled)}
    assert scheduled == {Notification, AuditEvent}
    mentors = [r for r in records if isinstance(r, LocalActivity) and r.name == io.MATCH_MENTOR]
    assert [type(r.result) for r in mentors] == [MentorMatch, MentorMatch]


def load(name: str, edit: Edit | None = None) -> WorkflowHistory:
    """A committed history, each event (as Temporal's JSON) passed through `edit` if given."""
    history = json.loads((HISTORIES / f"{name}.json").read_text())
    for event in history["events"]:
        if edit is not None:
            edit(event)
    return WorkflowHistory.from_json(name, json.dumps(history))


def rename(attributes: str, *path: str, old: str, new: str) -> Edit:
    """An edit renaming a name at `path` inside each event's `attributes`."""

    def edit(event: dict[str, Any]) -> None:
        node = event.get(attributes)
        for key in path[:-1]:
            node = (node or {}).get(key)
        if node is not None and node.get(path[-1]) == old:
            node[path[-1]] = new

    return edit


def rename_local_activity(old: str, new: str) -> Edit:
    """An edit renaming a local activity in its marker's (plain JSON) data."""

    def edit(event: dict[str, Any]) -> None:
        details = event.get("markerRecordedEventAttributes", {}).get("details", {})
        if "data" not in details:
            return
        payload = details["data"]["payloads"][0]
        data = json.loads(base64.b64decode(payload["data"]))
        if data.get("activity_type") == old:
            data["activity_type"] = new
            payload["data"] = base64.b64encode(json.dumps(data).encode()).decode()

    return edit


def rename_attribute(old: str, new: str) -> Edit:
    def edit(event: dict[str, Any]) -> None:
        upsert = event.get("upsertWorkflowSearchAttributesEventAttributes")
        fields = upsert["searchAttributes"]["indexedFields"] if upsert else {}
        if old in fields:
            fields[new] = fields.pop(old)

    return edit


def add_child_workflow(event: dict[str, Any]) -> None:
    """Turn a timer into a child workflow start: an event type no appraisal records."""
    if timer := event.pop("timerStartedEventAttributes", None):
        event["eventType"] = "EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED"
        event["startChildWorkflowExecutionInitiatedEventAttributes"] = {
            "workflowId": timer["timerId"],
            "workflowType": {"name": "AppraisalWorkflow"},
        }


UNKNOWN = {
    "signal": (
        "appraisal-history-2025-197801062004072147",
        rename(
            "workflowExecutionSignaledEventAttributes",
            "signalName",
            old="release_grade",
            new="grade_release",
        ),
        "signal 'grade_release'",
    ),
    "update": (
        "appraisal-history-national",
        rename(
            "workflowExecutionUpdateAcceptedEventAttributes",
            *("acceptedRequest", "input", "name"),
            old="file_appeal",
            new="appeal",
        ),
        "update 'appeal'",
    ),
    "activity": (
        "appraisal-history-timers",
        rename(
            "activityTaskScheduledEventAttributes",
            "activityType",
            "name",
            old="notify",
            new="notify_all",
        ),
        "activity 'notify_all'",
    ),
    "local activity": (
        "appraisal-history-national",
        rename_local_activity(io.UPSERT_TASK, "write_task"),
        "local activity 'write_task'",
    ),
    "sent signal": (
        "appraisal-history-2026-197801062004072147",
        rename(
            "signalExternalWorkflowExecutionInitiatedEventAttributes",
            "signalName",
            old="appraisal_progress",
            new="progress",
        ),
        "signal 'progress'",
    ),
    "search attribute": (
        "appraisal-history-binjai",
        rename_attribute("AppraisalStage", "AppraisalPhase"),
        "search attribute 'AppraisalPhase'",
    ),
    "event type": (
        "appraisal-history-wanggar",
        add_child_workflow,
        "start_child_workflow_execution_initiated",
    ),
    "workflow type": (
        "cycle-history-2025",
        rename(
            "workflowExecutionStartedEventAttributes",
            "workflowType",
            "name",
            old="CycleWorkflow",
            new="CycleWorkflowV2",
        ),
        "workflow type 'CycleWorkflowV2'",
    ),
}


@pytest.mark.parametrize("what", sorted(UNKNOWN))
async def test_what_no_workflow_records_fails_the_decoding(what: str) -> None:
    name, edit, says = UNKNOWN[what]
    with pytest.raises(UnknownEvent, match=says):
        await decode_events(load(name, edit).events)
