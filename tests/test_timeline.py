"""The auditors' timeline, read from the committed histories of real runs: every step, its actor,
its time, and nothing about peers unless asked."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any, cast

import pytest
from temporalio.api.common.v1 import Payload
from temporalio.api.history.v1 import HistoryEvent
from temporalio.client import Client, WorkflowHistory
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.converter import PayloadCodec

from appraisal_engine.client.histories import export_history_json, fetch_runs
from appraisal_engine.domain.presets import PRESETS
from appraisal_engine.domain.tasks import TaskKind
from appraisal_engine.simulator.scripted import EMPLOYEE, MENTOR, PEERS, SUPERIOR, SUPERVISOR, nip
from appraisal_engine.workflows.history import RedactedHistory, decode_events
from appraisal_engine.workflows.timeline import (
    Timeline,
    build_timeline,
    page,
)

HISTORIES = Path(__file__).parent / "histories"
HUMAN = {k.value for k in TaskKind} | {"appeal.filed", "deadline.extended", "reassigned"}
HUMAN |= {"cancelled"}


def history(name: str) -> WorkflowHistory:
    path = HISTORIES / f"appraisal-history-{name}.json"
    return WorkflowHistory.from_json(path.stem, path.read_text())


async def timeline(name: str, **options: Any) -> Timeline:
    return await build_timeline(history(name), **options)


def human_steps(t: Timeline) -> list[tuple[str, str | None]]:
    return [(e.kind, e.actor_nip) for e in t.entries if e.kind in HUMAN]


def of_kind(t: Timeline, kind: str) -> list[Any]:
    return [e for e in t.entries if e.kind == kind]


async def test_a_completed_year_lists_every_step_with_the_actor_the_recorder_scripted() -> None:
    t = await timeline("national")
    assert t.workflow_id == "appraisal-history-national" and len(t.run_ids) == 1
    assert human_steps(t) == [
        ("targets.draft", EMPLOYEE),
        ("targets.approve", SUPERVISOR),
        *[("self_report", EMPLOYEE)] * 4,
        *[("feedback", SUPERVISOR)] * 4,
        ("review", SUPERVISOR),
        ("appeal.filed", EMPLOYEE),
        ("appeal.decide", SUPERIOR),
    ]
    assert [e.detail["period"] for e in of_kind(t, "self_report")] == [1, 2, 3, 4]
    assert [e.detail["stage"] for e in of_kind(t, "stage")] == [
        *("monitoring", "review", "calibration", "appeal", "outcome", "done")
    ]
    start, end = t.entries[0], t.entries[-1]
    assert start.kind == "started" and start.detail["supervisor_nip"] == SUPERVISOR
    assert start.detail["superior_nip"] == SUPERIOR and start.detail["policy"] == "national"
    (review,) = of_kind(t, "review")
    assert review.summary == "review: results meets, behaviour meets → grade baik"
    assert of_kind(t, "grade.released")[0].summary == "grade released: baik"
    assert of_kind(t, "appeal.filed")[0].summary.startswith("appealed the grade baik: Bukti")
    assert of_kind(t, "appeal.decide")[0].summary.startswith("upheld the grade")
    assert end.kind == "completed" and end.detail["grade_computed"] == "baik"
    assert end.summary.endswith("outcome development")
    assert [e.seq for e in t.entries] == list(range(len(t.entries)))
    assert [e.at for e in t.entries] == sorted(e.at for e in t.entries)


@pytest.mark.parametrize("preset", sorted(PRESETS))
async def test_each_preset_review_grades_as_the_workflow_computed(preset: str) -> None:
    t = await timeline(preset, reveal_peers=True)
    (review,) = of_kind(t, "review")
    result = t.entries[-1].detail
    assert review.actor_nip == SUPERVISOR
    assert review.detail["assessment"]["grade"] == result["grade_computed"]
    assert all(actor is not None for _, actor in human_steps(t))


async def test_mentorship_is_matched_and_accepted() -> None:
    t = await timeline("wanggar")
    assert of_kind(t, "review")[0].summary.endswith("→ grade butuh_perbaikan")
    assert of_kind(t, "mentor.matched")[0].detail["mentor_nip"] == MENTOR
    assert human_steps(t)[-1] == ("mentorship.accept", MENTOR)
    assert of_kind(t, "mentorship.accept")[0].summary == "accepted the mentorship"
    assert t.entries[-1].summary.endswith(f"outcome mentorship; mentor {MENTOR}")


async def test_deadlines_that_fired_show_reminders_escalations_and_fallbacks() -> None:
    t = await timeline("timers")
    reminders, escalations = of_kind(t, "reminder"), of_kind(t, "escalation")
    assert [(e.detail["task_kind"], e.detail["recipients"]) for e in reminders] == [
        ("targets.approve", [SUPERVISOR]),
        ("self_report", [EMPLOYEE]),
    ]
    # The supervisor's approval moved to the superior, who then approved it.
    assert escalations[0].detail["moved_to"] == SUPERIOR
    assert ("targets.approve", SUPERIOR) in human_steps(t)
    assert ("targets.approve", SUPERVISOR) not in human_steps(t)
    # The second report never came: both were told, then it was recorded as missing.
    assert escalations[1].detail["recipients"] == [SUPERVISOR, SUPERIOR]
    (fallback,) = of_kind(t, "fallback")
    assert fallback.detail["fallback"] == "record_missing"
    assert fallback.summary == "fallback: self_report recorded as missing; the year goes on"
    assert fallback.at > escalations[1].at
    assert [e.detail["period"] for e in of_kind(t, "self_report")] == [1, 3, 4]
    assert "appeal window closed with no appeal" in of_kind(t, "stage")[-2].summary
    assert of_kind(t, "mentorship.accept")[0].summary == "declined the mentorship"
    assert of_kind(t, "mentor.none")
    assert t.entries[-1].detail["flags"] == ["missing_report:2", "no_mentor_available"]


async def test_the_fallback_is_read_from_the_audit_event_the_workflow_recorded() -> None:
    t = await timeline("timers")
    (fallback,) = of_kind(t, "fallback")
    (recorded,) = [
        e
        for e in history("timers").events
        if e.activity_task_scheduled_event_attributes.activity_type.name == "append_audit"
        and b"task.overdue" in e.activity_task_scheduled_event_attributes.input.payloads[0].data
    ]
    assert fallback.event_id == recorded.event_id and "inferred" not in fallback.detail


def before_audit_events(name: str) -> WorkflowHistory:
    """A history as if recorded before the workflow scheduled its audit events as activities:
    no patch marker, and no audit event in the history (they were local activities then)."""
    h = history(name)

    def recorded(e: HistoryEvent) -> bool:
        marker = e.marker_recorded_event_attributes
        audit = e.activity_task_scheduled_event_attributes.activity_type.name == "append_audit"
        return not audit and "patch-data" not in marker.details

    return WorkflowHistory(h.workflow_id, [e for e in h.events if recorded(e)])


async def test_a_run_without_audit_events_infers_its_fallbacks_from_the_timers_and_says_so() -> (
    None
):
    told, inferred = await timeline("timers"), await build_timeline(before_audit_events("timers"))
    (fallback,) = of_kind(inferred, "fallback")
    assert fallback.summary == (
        "fallback: self_report recorded as missing; the year goes on"
        " (inferred from its timer: this run did not record it)"
    )
    assert fallback.detail == {**of_kind(told, "fallback")[0].detail, "inferred": True}
    timer = next(e for e in history("timers").events if e.event_id == fallback.event_id)
    assert timer.HasField("timer_fired_event_attributes")
    # Everything else reads the same, the superior's taking over of the approval too.
    assert of_kind(inferred, "escalation")[0].detail["moved_to"] == SUPERIOR
    others = [[e for e in x.entries if e.kind != "fallback"] for x in (told, inferred)]
    assert others[0] == others[1]


async def test_reassignment_and_cancellation_carry_who_and_why() -> None:
    t = await timeline("reassigned")
    (moved,) = of_kind(t, "reassigned")
    assert moved.actor_nip == nip(99) and moved.summary.endswith("reason: mutasi")
    assert (moved.detail["from"], moved.detail["to"]) == (SUPERVISOR, nip(30))
    assert len(moved.detail["moved"]) == 1
    assert of_kind(t, "review")[0].actor_nip == nip(30)
    (cancelled,) = of_kind(t, "cancelled")
    assert cancelled.actor_nip == nip(99)
    assert cancelled.summary == "cancelled the appraisal: pindah ke instansi lain"
    assert t.entries[-1].detail["stage"] == "cancelled"


async def test_a_cycle_appraisal_shows_the_calibrated_release_and_the_cascade() -> None:
    t = await build_timeline(
        WorkflowHistory.from_json(
            "appraisal-history-2025-197801062004072147",
            (HISTORIES / "appraisal-history-2025-197801062004072147.json").read_text(),
        )
    )
    (released,) = of_kind(t, "grade.released")
    assert released.summary == "the cycle released baik"
    assert released.actor_nip == "197001012000011001"  # the HR officer who calibrated
    assert len(of_kind(t, "cascade")[0].detail["workflow_ids"]) == 2


async def test_peers_are_hidden_unless_revealed_and_answers_unless_asked_for() -> None:
    hidden = await timeline("bukittinggi")
    answers = of_kind(hidden, "peer_feedback")
    assert len(answers) == 3
    assert all(e.actor_nip is None and e.detail == {} for e in answers)
    assert {e.summary for e in answers} == {"a peer answered the survey"}
    dumped = hidden.model_dump_json()
    assert not [p for p in PEERS if p in dumped]

    # HR: who answered and when, not what.
    named = await timeline("bukittinggi", reveal_peers=True)
    answers = of_kind(named, "peer_feedback")
    assert sorted(e.actor_nip or "" for e in answers) == sorted(PEERS)
    assert all(set(e.detail) == {"task_id"} for e in answers)
    assert {e.summary for e in answers} == {"answered the peer survey"}
    assert named.entries[0].detail["peer_nips"] == PEERS

    # Auditors: the answers too.
    shown = await timeline("bukittinggi", reveal_peers=True, reveal_answers=True)
    answers = of_kind(shown, "peer_feedback")
    assert sorted(e.actor_nip or "" for e in answers) == sorted(PEERS)
    assert all(e.detail["scores"]["kolaboratif"] == 4 for e in answers)
    assert all(e.summary == "answered the peer survey (mean 4.0)" for e in answers)
    assert shown.entries[0].detail["peer_nips"] == PEERS


async def test_pages_cover_the_timeline_once_in_order() -> None:
    t = await timeline("tanjungbalai")
    seen, offset = [], 0
    while True:
        chunk = page(t, offset, limit=7)
        seen += chunk.entries
        assert chunk.total == len(t.entries)
        if chunk.next_offset is None:
            break
        offset = chunk.next_offset
    assert seen == t.entries and len(t.entries) > 7
    assert page(t, len(t.entries), 7).entries == [] and page(t, len(t.entries)).next_offset is None


def continued(h: WorkflowHistory, from_run: str) -> WorkflowHistory:
    """A run's history as if it had continued from `from_run`."""
    first = HistoryEvent()
    first.CopyFrom(h.events[0])
    first.workflow_execution_started_event_attributes.continued_execution_run_id = from_run
    return WorkflowHistory(h.workflow_id, [first, *h.events[1:]])


async def test_several_runs_read_as_one_timeline_in_run_order() -> None:
    # Two recorded runs stand in for a continue-as-new chain.
    first, second = history("national"), history("tebingtinggi")
    second = continued(second, first.run_id)
    t = await build_timeline(first, second.events, workflow_id="appraisal-x")
    assert t.workflow_id == "appraisal-x" and t.run_ids == [first.run_id, second.run_id]
    runs = [e.run_id for e in t.entries]
    assert runs == sorted(runs, key=t.run_ids.index)
    assert [e.seq for e in t.entries] == list(range(len(t.entries)))
    (_, again) = of_kind(t, "started")
    assert again.summary.startswith(f"run continued from {first.run_id}")


async def test_payloads_go_through_the_given_converter() -> None:
    class Counting(PayloadCodec):
        decoded = 0

        async def encode(self, payloads: Sequence[Payload]) -> list[Payload]:
            return list(payloads)

        async def decode(self, payloads: Sequence[Payload]) -> list[Payload]:
            Counting.decoded += len(payloads)
            return list(payloads)

    converter = dataclasses.replace(pydantic_data_converter, payload_codec=Counting())
    t = await timeline("national", data_converter=converter)
    assert Counting.decoded > 0
    assert t == await timeline("national")


async def test_a_cycle_history_is_not_an_appraisal_timeline() -> None:
    path = HISTORIES / "cycle-history-2025.json"
    with pytest.raises(ValueError, match="not the history of an appraisal"):
        await build_timeline(WorkflowHistory.from_json(path.stem, path.read_text()))


class FakeClient:
    """Just enough of a client to hand out runs by id; the latest under None."""

    data_converter = pydantic_data_converter

    def __init__(self, runs: dict[str | None, WorkflowHistory]) -> None:
        self.runs = runs

    def get_workflow_handle(self, workflow_id: str, *, run_id: str | None = None) -> Any:
        history = self.runs[run_id]

        class Handle:
            async def fetch_history(self) -> WorkflowHistory:
                return history

        return Handle()


async def test_export_is_temporal_json_and_runs_are_followed_back() -> None:
    first = history("national")
    latest = continued(history("wanggar"), first.run_id)
    client = cast(Client, FakeClient({None: latest, first.run_id: first}))
    exported = await export_history_json(client, "appraisal-history-national", first.run_id)
    path = HISTORIES / "appraisal-history-national.json"
    assert json.loads(exported) == json.loads(path.read_text())
    runs = await fetch_runs(client, "appraisal-history-x")
    assert [r.run_id for r in runs] == [first.run_id, latest.run_id]


async def test_the_export_keeps_peer_answers_to_auditors() -> None:
    path = HISTORIES / "appraisal-history-bukittinggi.json"
    client = cast(Client, FakeClient({None: history("bukittinggi")}))
    full = await export_history_json(client, "appraisal-history-bukittinggi", reveal_answers=True)
    assert json.loads(full) == json.loads(path.read_text())
    redacted = await export_history_json(client, "appraisal-history-bukittinggi")
    assert len(json.loads(redacted)["events"]) == len(json.loads(full)["events"])

    def peer_updates(text: str) -> list[dict[str, Any]]:
        runs = WorkflowHistory.from_json("x", text)
        inputs = [
            e.workflow_execution_update_accepted_event_attributes.accepted_request.input
            for e in runs.events
            if e.HasField("workflow_execution_update_accepted_event_attributes")
        ]
        values = [json.loads(i.args.payloads[0].data) for i in inputs]
        kinds = [v.get("body", {}).get("kind") for v in values]
        return [v for v, k in zip(values, kinds, strict=True) if k == TaskKind.PEER_FEEDBACK]

    answered = peer_updates(full)
    assert len(answered) == 3 and all("scores" in v["body"]["answers"] for v in answered)
    # Who answered which task stays; the answers are replaced by a note.
    assert [(v["task_id"], v["actor_nip"]) for v in peer_updates(redacted)] == [
        (v["task_id"], v["actor_nip"]) for v in answered
    ]
    assert all("scores" not in v["body"]["answers"] for v in peer_updates(redacted))
    assert "kolaboratif" not in "".join(json.dumps(v) for v in peer_updates(redacted))
    # Nothing else changed.
    before, after = json.loads(full)["events"], json.loads(redacted)["events"]
    changed = [a["eventId"] for a, b in zip(before, after, strict=True) if a != b]
    assert len(changed) == 3
    # Replaying needs every input: verify-history says why HR's copy cannot be verified.
    with pytest.raises(RedactedHistory, match="an auditor's export holds every input"):
        await decode_events(WorkflowHistory.from_json("x", redacted).events)
