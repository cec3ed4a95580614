"""What each of our workflows records in its history, by name: its updates and signals (from
the workflow's own definition) with their message types, the activities it calls (from `io`) and
the search attributes it sets, so a history can be decoded typed and nothing unknown passes."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from temporalio import workflow

from appraisal_engine.domain.projection import StepProjection
from appraisal_engine.domain.records import AuditEvent, CascadeRequest, MentorMatch, Notification
from appraisal_engine.workflows import io
from appraisal_engine.workflows import search_attributes as sa
from appraisal_engine.workflows.appraisal.workflow import AppraisalWorkflow
from appraisal_engine.workflows.cycle import CycleWorkflow
from appraisal_engine.workflows.yearly import YearlyLaunchWorkflow


@dataclass(frozen=True)
class Vocabulary:
    """What one workflow type records, by name, with the type of each payload."""

    name: str
    start: type
    result: type
    updates: Mapping[str, tuple[type, type]]
    signals: Mapping[str, type]
    activities: frozenset[str]


def _vocabulary(cls: type, activities: frozenset[str]) -> Vocabulary:
    defn = workflow._Definition.must_from_class(cls)
    return Vocabulary(
        name=defn.name or cls.__name__,
        start=_arg(defn.arg_types),
        result=defn.ret_type or object,
        updates={
            n: (_arg(u.arg_types), u.ret_type or object) for n, u in defn.updates.items() if n
        },
        signals={n: _arg(s.arg_types) for n, s in defn.signals.items() if n},
        activities=activities,
    )


def _arg(types: list[type] | None) -> type:
    """A handler's one argument type (every message of ours has one input model)."""
    return types[0] if types else object


APPRAISAL = _vocabulary(AppraisalWorkflow, io.APPRAISAL_ACTIVITY_NAMES)
VOCABULARIES = {
    v.name: v
    for v in (
        APPRAISAL,
        _vocabulary(CycleWorkflow, io.CYCLE_ACTIVITY_NAMES | {io.APPEND_AUDIT}),
        _vocabulary(YearlyLaunchWorkflow, io.CYCLE_ACTIVITY_NAMES),
    )
}
SENT_SIGNALS = {n: t for v in VOCABULARIES.values() for n, t in v.signals.items()}
"""Signals one of our workflows sends another, typed by the receiver's definition."""
ACTIVITY_INPUTS: dict[str, type] = {
    io.NOTIFY: Notification,
    io.CASCADE_TARGETS: CascadeRequest,
    io.APPEND_AUDIT: AuditEvent,
    io.PROJECT_STEP: StepProjection,
}
"""Activity inputs read typed; the others decode as plain JSON."""
LOCAL_RESULTS: dict[str, type] = {io.MATCH_MENTOR: MentorMatch}
"""Local activity results read typed; the others are left undecoded."""
PATCH_VERSIONS = "TemporalChangeVersion"  # the SDK's own, upserted with each patch taken
ATTRIBUTE_NAMES = frozenset(key.name for key in sa.ALL_KEYS) | {PATCH_VERSIONS}
