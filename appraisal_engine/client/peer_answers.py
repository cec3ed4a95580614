"""Peers' raw answers kept to auditors in the payloads the API hands out: the exported history
and the Temporal UI's codec. Who answered, and when, stays; the scores and comment do not."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

from google.protobuf import json_format
from google.protobuf.message import Message
from temporalio.api.common.v1 import Payload
from temporalio.client import WorkflowHistory
from temporalio.converter import PayloadCodec

from appraisal_engine.domain.peer import redact_answers

JSON_PLAIN = b"json/plain"
SEARCH_ATTRIBUTES = "temporal.api.common.v1.SearchAttributes"  # plain, never through a codec


def redact_payload(payload: Payload) -> Payload | None:
    """A decoded JSON payload with peers' answers redacted; None when it holds none."""
    if payload.metadata.get("encoding") != JSON_PLAIN:
        return None
    try:
        value = json.loads(payload.data)
    except ValueError:
        return None
    redacted, found = redact_answers(value)
    if not found:
        return None
    out = Payload()
    out.CopyFrom(payload)
    out.data = json.dumps(redacted, separators=(",", ":")).encode()
    return out


def redact_wire(payload: Mapping[str, Any]) -> dict[str, Any]:
    """One decoded payload in the remote codec's JSON form, peers' answers redacted."""
    parsed = json_format.ParseDict(dict(payload), Payload(), ignore_unknown_fields=True)
    redacted = redact_payload(parsed)
    return dict(payload) if redacted is None else json_format.MessageToDict(redacted)


async def redact_history(history: WorkflowHistory, codec: PayloadCodec | None) -> None:
    """Replace, in place, each payload of the history that holds a peer's answers by a
    redacted one, encoded again as it was stored (encrypted when encryption is on)."""
    for event in history.events:
        for payload in list(_payloads(event)):
            plain = payload
            if codec is not None:
                try:
                    [plain] = await codec.decode([payload])
                except ValueError:  # under a key we lack: nobody reads it through us either
                    continue
            redacted = redact_payload(plain)
            if redacted is None:
                continue
            if codec is not None:
                [redacted] = await codec.encode([redacted])
            payload.CopyFrom(redacted)


def _payloads(message: Message) -> Iterator[Payload]:
    """Every payload inside a history event, at any depth, but its search attributes."""
    if message.DESCRIPTOR.full_name == SEARCH_ATTRIBUTES:
        return
    if isinstance(message, Payload):
        yield message
        return
    for field, value in message.ListFields():
        if field.message_type is None:
            continue
        if field.message_type.GetOptions().map_entry:
            items = list(value.values())
        elif field.is_repeated:
            items = list(value)
        else:
            items = [value]
        for item in items:
            if isinstance(item, Message):
                yield from _payloads(item)
