"""Reading a history's markers: the local activities it recorded and the patches it took."""

from __future__ import annotations

from temporalio.api.enums.v1 import EventType
from temporalio.client import WorkflowHistory
from temporalio.contrib.pydantic import pydantic_data_converter


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
