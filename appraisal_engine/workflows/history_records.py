"""The typed records a run's history decodes into (see `history`): one per kind of event that
tells something, its payloads decoded."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from temporalio.common import TypedSearchAttributes


@dataclass(frozen=True)
class Record:
    """One event of a run that tells something, its payloads decoded."""

    run_id: str
    event_id: int
    at: datetime


@dataclass(frozen=True)
class Started(Record):
    workflow_type: str
    input: Any
    continued_from: str = ""  # the run this one continued from
    workflow_id: str = ""  # when the event records it


@dataclass(frozen=True)
class Updated(Record):
    """An accepted update, with its result, or the failure the handler raised after accepting."""

    name: str
    input: Any
    result: Any = None
    failure: str = ""


@dataclass(frozen=True)
class Signalled(Record):
    name: str
    input: Any


@dataclass(frozen=True)
class Scheduled(Record):
    """An activity the workflow scheduled, with its input."""

    name: str
    input: Any


@dataclass(frozen=True)
class ActivityFailed(Record):
    scheduled_event_id: int


@dataclass(frozen=True)
class LocalActivity(Record):
    """A local activity's marker: its input is not in the history, only its result."""

    name: str
    result: Any = None
    failed: bool = False  # an attempt that failed: a later marker holds the one that counted


@dataclass(frozen=True)
class Patched(Record):
    patch_id: str


@dataclass(frozen=True)
class AttributesSet(Record):
    attributes: TypedSearchAttributes


@dataclass(frozen=True)
class TimerFired(Record):
    pass


@dataclass(frozen=True)
class SignalSent(Record):
    name: str
    input: Any


@dataclass(frozen=True)
class Closed(Record):
    how: str  # "completed", "failed", "continued_as_new", ...
    result: Any = None
    note: str = ""  # a failure's message, the next run's id, a reason


HistoryRecord = (
    Started
    | Updated
    | Signalled
    | Scheduled
    | ActivityFailed
    | LocalActivity
    | Patched
    | AttributesSet
    | TimerFired
    | SignalSent
    | Closed
)
