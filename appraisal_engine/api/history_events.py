"""Decoding an appraisal's event history into what was recorded: the start input, accepted
updates, signals, notices and results, typed with the workflow's own messages."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from temporalio.api.common.v1 import Payload
from temporalio.api.history.v1 import HistoryEvent
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.converter import DataConverter

from appraisal_engine.api.peer_answers import REDACTED
from appraisal_engine.domain.records import CascadeRequest, MentorMatch, Notification
from appraisal_engine.domain.review import Assessment, Review, assess_under
from appraisal_engine.domain.targets import TargetPlan
from appraisal_engine.domain.tasks import Fallback
from appraisal_engine.workflows import messages as m
from appraisal_engine.workflows.cycle_messages import AppraisalProgress

APPRAISAL_WORKFLOW = "AppraisalWorkflow"
UPDATES: dict[str, tuple[type, type]] = {
    "complete_task": (m.CompleteTaskInput, m.TaskCompleted),
    "file_appeal": (m.FileAppealInput, m.AppealFiled),
    "extend_deadline": (m.ExtendDeadlineInput, m.HrActionDone),
    "reassign": (m.ReassignInput, m.HrActionDone),
    "cancel": (m.CancelInput, m.HrActionDone),
}
SIGNALS: dict[str, type] = {
    "release_grade": m.ReleaseGrade,
    "community_score": m.CommunityScore,
    "supervisor_targets_approved": m.SupervisorTargetsApproved,
}
ACTIVITIES: dict[str, type] = {"notify": Notification, "cascade_targets": CascadeRequest}
CLOSINGS = {
    f"workflow_execution_{name}_event_attributes": name
    for name in ("completed", "failed", "timed_out", "canceled", "terminated", "continued_as_new")
}
FALLBACK_SAYS = {
    Fallback.RECORD_MISSING: "recorded as missing; the year goes on",
    Fallback.UPHOLD_GRADE: "undecided in time, so the grade stands as released",
    Fallback.NEXT_MENTOR: "unanswered in time, so the offer goes to the next candidate",
}
TIMER_SLACK = timedelta(seconds=1)  # a timer fires a moment after its instant, never before


class RedactedHistory(ValueError):
    """An export with peers' answers redacted: it cannot be decoded or replayed whole."""


@dataclass
class Recorded:
    """One event of a run that tells the year, its payload decoded."""

    run_id: str
    event_id: int
    at: datetime
    what: str  # "started", "update", "signal", "activity", "timer", "closed", ...
    name: str = ""
    value: Any = None
    outcome: Any = None  # an update's result
    note: str = ""  # a failure's message; the run this one continued from or into


async def decode_events(
    events: Sequence[HistoryEvent], data_converter: DataConverter = pydantic_data_converter
) -> list[Recorded]:
    """The events of one run that tell the year, decoded; workflow tasks and writes left out."""
    finished = {
        e.workflow_execution_update_completed_event_attributes.meta.update_id: e
        for e in events
        if e.HasField("workflow_execution_update_completed_event_attributes")
    }
    out: list[Recorded] = []
    run_id, typed = "", False
    for e in events:
        field = e.WhichOneof("attributes") or ""
        if field == "workflow_execution_started_event_attributes":
            started = e.workflow_execution_started_event_attributes
            run_id = started.original_execution_run_id
            typed = started.workflow_type.name == APPRAISAL_WORKFLOW
        r = Recorded(run_id, e.event_id, e.event_time.ToDatetime(tzinfo=UTC), "")
        if await _decode(r, field, getattr(e, field, None), typed, finished, data_converter):
            out.append(r)
    return out


async def _decode(
    r: Recorded, field: str, a: Any, typed: bool, finished: dict[str, Any], dc: DataConverter
) -> bool:
    """Fill `r` from one event's attributes; False for the events that tell nothing."""

    async def one(payloads: Sequence[Payload], hint: type | None) -> Any:
        # Only an appraisal's payloads have known types; anything else decodes untyped.
        hints = [hint] if hint and typed else None
        if not payloads:
            return None
        try:
            return (await dc.decode(payloads, hints))[0]
        except ValueError:
            if REDACTED["redacted"] in json.dumps((await dc.decode(payloads))[0], default=str):
                raise RedactedHistory(
                    "peers' answers were redacted from this export (they are shown to auditors "
                    "only): an auditor's export holds every input"
                ) from None
            raise

    if field == "workflow_execution_started_event_attributes":
        r.what, r.name, r.note = "started", a.workflow_type.name, a.continued_execution_run_id
        r.value = await one(a.input.payloads, m.AppraisalInput)
    elif field == "workflow_execution_update_accepted_event_attributes":
        r.what, r.name = "update", a.accepted_request.input.name
        arg, res = UPDATES.get(r.name, (None, None))
        r.value = await one(a.accepted_request.input.args.payloads, arg)
        if (done := finished.get(a.accepted_request.meta.update_id)) is not None:
            outcome = done.workflow_execution_update_completed_event_attributes.outcome
            if outcome.HasField("failure"):
                r.note = str(await dc.decode_failure(outcome.failure))
            else:
                r.outcome = await one(outcome.success.payloads, res)
    elif field == "workflow_execution_signaled_event_attributes":
        r.what, r.name = "signal", a.signal_name
        r.value = await one(a.input.payloads, SIGNALS.get(a.signal_name))
    elif (
        field == "activity_task_scheduled_event_attributes"
        and typed
        and a.activity_type.name in ACTIVITIES
    ):
        # The audit append is an activity too; what it records, the updates already tell.
        r.what, r.name = "activity", a.activity_type.name
        r.value = await one(a.input.payloads, ACTIVITIES.get(r.name))
    elif field in (
        "activity_task_failed_event_attributes",
        "activity_task_timed_out_event_attributes",
    ):
        r.what, r.value = "activity_failed", a.scheduled_event_id
    elif field == "marker_recorded_event_attributes" and _marker_activity(a) == "match_mentor":
        if "result" not in a.details:  # a failed attempt: the match that counts comes later
            return False
        r.what, r.value = "mentor", await one(a.details["result"].payloads, MentorMatch)
    elif field == "upsert_workflow_search_attributes_event_attributes":
        # Search attributes are stored as plain JSON, never through the payload codec.
        fields = a.search_attributes.indexed_fields
        r.what, r.value = (
            "attributes",
            {k: json.loads(v.data or b"null") for k, v in fields.items()},
        )
    elif field == "timer_fired_event_attributes":
        r.what = "timer"
    elif field == "signal_external_workflow_execution_initiated_event_attributes" and typed:
        r.what, r.name = "progress", a.signal_name
        r.value = await one(a.input.payloads, AppraisalProgress)
    elif field in CLOSINGS:
        r.what, r.name = "closed", CLOSINGS[field]
        if r.name == "completed":
            r.value = await one(a.result.payloads, m.AppraisalResult)
        elif r.name == "continued_as_new":
            r.note = a.new_execution_run_id
        elif r.name == "failed":
            r.note = str(await dc.decode_failure(a.failure))
        else:
            r.note = getattr(a, "reason", "")
    return bool(r.what)


def _marker_activity(a: Any) -> str | None:
    """The activity a local-activity marker was written for (the SDK's own plain JSON)."""
    try:
        return str(json.loads(a.details["data"].payloads[0].data)["activity_type"])
    except (KeyError, IndexError, ValueError, TypeError):
        return None


@dataclass
class GradeInputs:
    """What an appraisal's grade is computed from, gathered as its history is read: the draft
    that became the plan when approved, and the community score of its own unit (from the start
    input of its first run, then from the cycle's signals) until the review."""

    inp: m.AppraisalInput | None = None  # the latest run's
    draft: TargetPlan | None = None
    plan: TargetPlan | None = None
    community: float | None = None
    reviewed: bool = False

    def start(self, inp: m.AppraisalInput) -> None:
        """A run started; the first run's input carries the community score known then."""
        if self.inp is None:
            self.community = inp.community_score
        self.inp = inp

    def body(self, body: m.TaskBody) -> None:
        """An accepted task body: a draft, or the approval that makes it the plan."""
        if isinstance(body, m.TargetsDraftBody):
            self.draft = body.plan
        elif isinstance(body, m.TargetsApproveBody) and body.decision == "approve":
            self.plan = self.draft

    def community_score(self, score: m.CommunityScore) -> bool:
        """Take a unit's score if it counts (its own unit, before the review); whether it did."""
        used = self.inp is not None and score.unit_code == self.inp.unit_code and not self.reviewed
        if used:
            self.community = score.score
        return used

    def grade(self, review: Review) -> Assessment | None:
        """The review is in: the grade the domain rules give it under the recorded policy, or
        None without an approved plan. Raises DomainError for a review that cannot be graded."""
        self.reviewed = True
        if self.inp is None or self.plan is None:
            return None
        return assess_under(self.inp.policy, review, self.plan, self.community)
