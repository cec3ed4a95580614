"""Reading a history's markers (the local activities it recorded and the patches it took) and
the steps it wrote in one go."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from temporalio.api.enums.v1 import EventType
from temporalio.client import WorkflowHandle, WorkflowHistory
from temporalio.contrib.pydantic import pydantic_data_converter

from appraisal_engine.domain.projection import StepProjection
from appraisal_engine.workflows import io
from tests.faults.checks import eventually


def markers_of(history: WorkflowHistory) -> list[str]:
    """The local activities the history recorded, in order, and the patches it took."""
    names = []
    for event in history.events:
        if event.event_type != EventType.EVENT_TYPE_MARKER_RECORDED:
            continue
        attrs = event.marker_recorded_event_attributes
        key = "patch-data" if attrs.marker_name == "core_patch" else "data"
        payloads = attrs.details[key].payloads
        (data,) = pydantic_data_converter.payload_converter.from_payloads(payloads)
        names.append(f"patch:{data['id']}" if key == "patch-data" else data["activity_type"])
    return names


async def markers_eventually(
    handle: WorkflowHandle[Any, Any], done: Callable[[list[str]], bool]
) -> list[str]:
    """The history's markers once `done` holds for them.

    A local activity's marker is recorded when its workflow task completes, which is after the
    activity has already written: seeing the write does not mean the history holds the marker yet.
    """

    async def markers() -> list[str]:
        return markers_of(await handle.fetch_history())

    return await eventually(markers, done, within=10, every=0.05, what=f"markers of {handle.id}")


def steps_of(history: WorkflowHistory) -> list[StepProjection]:
    """The steps the history scheduled to be written in one go, in order."""
    steps = []
    for event in history.events:
        scheduled = event.activity_task_scheduled_event_attributes
        if scheduled.activity_type.name != io.PROJECT_STEP:
            continue
        payloads = scheduled.input.payloads
        (step,) = pydantic_data_converter.payload_converter.from_payloads(
            payloads, [StepProjection]
        )
        steps.append(step)
    return steps
