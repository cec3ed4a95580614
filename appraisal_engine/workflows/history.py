"""Decoding a run's event history into typed records of what the workflow recorded: its start
input, accepted updates, signals, scheduled activities (audit events and notices among them),
local activities and patches, timers, search attributes and its close.

Names come from the workflows' own definitions and from `io`; an event, a signal, an update, an
activity or a search attribute this code does not know is an error, never skipped."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from temporalio.api.common.v1 import Payload
from temporalio.api.history.v1 import HistoryEvent
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.converter import DataConverter, decode_typed_search_attributes

from appraisal_engine.domain.peer import REDACTED
from appraisal_engine.workflows.history_records import (
    ActivityFailed,
    AttributesSet,
    Closed,
    HistoryRecord,
    LocalActivity,
    Patched,
    Scheduled,
    Signalled,
    SignalSent,
    Started,
    TimerFired,
    Updated,
)
from appraisal_engine.workflows.vocabulary import (
    ACTIVITY_INPUTS,
    ATTRIBUTE_NAMES,
    LOCAL_RESULTS,
    SENT_SIGNALS,
    VOCABULARIES,
    Vocabulary,
)


class HistoryError(ValueError):
    """A history this code cannot read whole."""


class UnknownEvent(HistoryError):
    """An event, or a name in one, that no workflow of ours records."""


class RedactedHistory(HistoryError):
    """An export with peers' answers redacted: it cannot be decoded or replayed whole."""


CLOSINGS = {
    f"workflow_execution_{name}_event_attributes": name
    for name in ("completed", "failed", "timed_out", "canceled", "terminated", "continued_as_new")
}
SILENT = frozenset(
    f"{name}_event_attributes"
    for name in (
        "workflow_task_scheduled",
        "workflow_task_started",
        "workflow_task_completed",
        "workflow_task_timed_out",
        "workflow_task_failed",
        "activity_task_started",
        "activity_task_completed",
        "activity_task_cancel_requested",
        "activity_task_canceled",
        "timer_started",
        "timer_canceled",
        "workflow_execution_update_completed",  # read with its acceptance
        "workflow_execution_cancel_requested",  # the run's close and its audit event tell it
        "external_workflow_execution_signaled",
        "signal_external_workflow_execution_failed",
    )
)
"""Events that record nothing beyond what the others do: the Temporal machinery around them."""


@dataclass
class _Reader:
    vocabulary: Vocabulary | None
    finished: dict[str, HistoryEvent]
    dc: DataConverter
    run_id: str = ""
    records: list[HistoryRecord] = field(default_factory=list)

    async def one(self, payloads: Sequence[Payload], hint: type | None) -> Any:
        """The first payload, as `hint` (or plain JSON); None when there is none."""
        if not payloads:
            return None
        try:
            return (await self.dc.decode(payloads, [hint] if hint else None))[0]
        except ValueError:
            if REDACTED["redacted"] in json.dumps((await self.dc.decode(payloads))[0], default=str):
                raise RedactedHistory(
                    "peers' answers were redacted from this export (they are shown to auditors "
                    "only): an auditor's export holds every input"
                ) from None
            raise

    def known(self, names: Mapping[str, Any] | frozenset[str], kind: str, name: str) -> None:
        if name not in names:
            of = self.vocabulary.name if self.vocabulary else "this workflow"
            raise UnknownEvent(f"{kind} {name!r} is not one {of} records")

    async def read(self, e: HistoryEvent) -> None:
        kind = e.WhichOneof("attributes") or ""
        if kind in SILENT:
            return
        if kind == "workflow_execution_started_event_attributes":
            self.run_id = e.workflow_execution_started_event_attributes.original_execution_run_id
        where = (self.run_id, e.event_id, e.event_time.ToDatetime(tzinfo=UTC))
        self.records.append(await self._record(kind, getattr(e, kind), where))

    async def _record(self, kind: str, a: Any, where: tuple[str, int, datetime]) -> HistoryRecord:
        v = self.vocabulary
        if kind == "workflow_execution_started_event_attributes":
            self.vocabulary = v = VOCABULARIES.get(a.workflow_type.name)
            if v is None:
                raise UnknownEvent(f"workflow type {a.workflow_type.name!r} is not ours")
            return Started(
                *where,
                workflow_type=v.name,
                input=await self.one(a.input.payloads, v.start),
                continued_from=a.continued_execution_run_id,
                workflow_id=a.workflow_id,
            )
        if v is None:
            raise HistoryError("a history starts with its workflow's start")
        if kind == "workflow_execution_update_accepted_event_attributes":
            name = a.accepted_request.input.name
            self.known(v.updates, "update", name)
            arg, res = v.updates[name]
            value = await self.one(a.accepted_request.input.args.payloads, arg)
            result, failure = None, ""
            if (done := self.finished.get(a.accepted_request.meta.update_id)) is not None:
                outcome = done.workflow_execution_update_completed_event_attributes.outcome
                if outcome.HasField("failure"):
                    failure = str(await self.dc.decode_failure(outcome.failure))
                else:
                    result = await self.one(outcome.success.payloads, res)
            return Updated(*where, name=name, input=value, result=result, failure=failure)
        if kind == "workflow_execution_signaled_event_attributes":
            self.known(v.signals, "signal", a.signal_name)
            value = await self.one(a.input.payloads, v.signals[a.signal_name])
            return Signalled(*where, name=a.signal_name, input=value)
        if kind == "activity_task_scheduled_event_attributes":
            name = a.activity_type.name
            self.known(v.activities, "activity", name)
            value = await self.one(a.input.payloads, ACTIVITY_INPUTS.get(name))
            return Scheduled(*where, name=name, input=value)
        if kind in (
            "activity_task_failed_event_attributes",
            "activity_task_timed_out_event_attributes",
        ):
            return ActivityFailed(*where, scheduled_event_id=a.scheduled_event_id)
        if kind == "marker_recorded_event_attributes":
            return await self._marker(a, where)
        if kind == "upsert_workflow_search_attributes_event_attributes":
            for name in a.search_attributes.indexed_fields:
                self.known(ATTRIBUTE_NAMES, "search attribute", name)
            return AttributesSet(
                *where, attributes=decode_typed_search_attributes(a.search_attributes)
            )
        if kind == "timer_fired_event_attributes":
            return TimerFired(*where)
        if kind == "signal_external_workflow_execution_initiated_event_attributes":
            self.known(SENT_SIGNALS, "signal", a.signal_name)
            value = await self.one(a.input.payloads, SENT_SIGNALS[a.signal_name])
            return SignalSent(*where, name=a.signal_name, input=value)
        if kind in CLOSINGS:
            how = CLOSINGS[kind]
            if how == "completed":
                return Closed(*where, how, await self.one(a.result.payloads, v.result))
            if how == "continued_as_new":
                return Closed(*where, how, note=a.new_execution_run_id)
            if how == "failed":
                return Closed(*where, how, note=str(await self.dc.decode_failure(a.failure)))
            return Closed(*where, how, note=getattr(a, "reason", ""))
        raise UnknownEvent(f"event {kind or 'without attributes'} is not one our workflows record")

    async def _marker(self, a: Any, where: tuple[str, int, datetime]) -> HistoryRecord:
        """A patch, or a local activity (whose marker data is the SDK's own plain JSON)."""
        if "patch-data" in a.details:
            [data] = _plain(a.details["patch-data"].payloads)
            return Patched(*where, patch_id=str(data["id"]))
        if "data" not in a.details:
            raise UnknownEvent(f"marker {a.marker_name!r} is not one our workflows record")
        [data] = _plain(a.details["data"].payloads)
        assert self.vocabulary is not None
        name = str(data["activity_type"])
        self.known(self.vocabulary.activities, "local activity", name)
        if "result" not in a.details:
            return LocalActivity(*where, name=name, failed=True)
        hint = LOCAL_RESULTS.get(name)
        result = await self.one(a.details["result"].payloads, hint) if hint else None
        return LocalActivity(*where, name=name, result=result)


def _plain(payloads: Sequence[Payload]) -> list[Any]:
    # The SDK writes its markers' own data itself, after the payload codec: plain JSON always.
    return pydantic_data_converter.payload_converter.from_payloads(payloads)


async def decode_events(
    events: Sequence[HistoryEvent], data_converter: DataConverter = pydantic_data_converter
) -> list[HistoryRecord]:
    """The records of a history's events, in order; raises UnknownEvent for any event, name or
    attribute none of our workflows records, and RedactedHistory for an export without answers."""
    finished = {
        e.workflow_execution_update_completed_event_attributes.meta.update_id: e
        for e in events
        if e.HasField("workflow_execution_update_completed_event_attributes")
    }
    reader = _Reader(None, finished, data_converter)
    for e in events:
        await reader.read(e)
    return reader.records
