"""A cycle's launch batches as the server sees them: in flight, completed with which result
at which attempt."""

from __future__ import annotations

from temporalio.api.enums.v1 import PendingActivityState
from temporalio.client import Client

from appraisal_engine.workflows.cycle_messages import LaunchResult
from appraisal_engine.workflows.ids import workflow_id_of_cycle
from appraisal_engine.workflows.io import LAUNCH_BATCH


async def launch_batches(client: Client, cycle_id: str) -> list[tuple[int, LaunchResult]]:
    """(attempt, result) of every launch batch the cycle completed, from its history."""
    handle = client.get_workflow_handle(workflow_id_of_cycle(cycle_id))
    scheduled: set[int] = set()
    attempts: dict[int, int] = {}
    done: list[tuple[int, LaunchResult]] = []
    converter = client.data_converter
    async for event in handle.fetch_history_events():
        if event.HasField("activity_task_scheduled_event_attributes"):
            a = event.activity_task_scheduled_event_attributes
            if a.activity_type.name == LAUNCH_BATCH:
                scheduled.add(event.event_id)
        elif event.HasField("activity_task_started_event_attributes"):
            s = event.activity_task_started_event_attributes
            attempts[s.scheduled_event_id] = s.attempt
        elif event.HasField("activity_task_completed_event_attributes"):
            c = event.activity_task_completed_event_attributes
            if c.scheduled_event_id in scheduled:
                [result] = await converter.decode(c.result.payloads, [LaunchResult])
                done.append((attempts[c.scheduled_event_id], result))
    return done


async def batch_in_flight(client: Client, cycle_id: str) -> bool:
    """A launch batch is running on a worker and has already started someone."""
    description = await client.get_workflow_handle(workflow_id_of_cycle(cycle_id)).describe()
    return any(
        p.activity_type.name == LAUNCH_BATCH
        and p.state == PendingActivityState.PENDING_ACTIVITY_STATE_STARTED
        and p.HasField("last_heartbeat_time")
        for p in description.raw_description.pending_activities
    )
