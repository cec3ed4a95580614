"""Replay the committed histories of complete years against the current workflow code: a change
that would break running appraisals fails here first (see docs/contributing.md, changing
workflow code safely)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from temporalio.api.history.v1 import HistoryEvent
from temporalio.client import WorkflowHistory
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.worker import Replayer

from appraisal_engine.domain.audit_kinds import UNIT_RATING_DECIDED, UNIT_RATING_PROPOSED
from appraisal_engine.domain.calibration import CALIBRATED, ReleasedGrade
from appraisal_engine.domain.presets import PRESETS
from appraisal_engine.domain.records import AuditEvent
from appraisal_engine.workflows import io
from appraisal_engine.workflows.appraisal.appeal_and_outcome import (
    APPEAL_OPENS_WITH_STAGE,
    MENTOR_RULES,
)
from appraisal_engine.workflows.appraisal.effects import AUDIT_AFTER_COMMIT, ONE_WRITE_PER_STEP
from appraisal_engine.workflows.appraisal.monitoring import MONTHLY_INDICATORS
from appraisal_engine.workflows.appraisal.workflow import ZONED_CALENDAR, AppraisalWorkflow
from appraisal_engine.workflows.cycle import (
    LAUNCH_OVERLAPPED,
    UNIT_RATED_BY_OFFICIAL,
    CycleWorkflow,
)
from appraisal_engine.workflows.cycle_messages import ReleaseUnit
from appraisal_engine.workflows.yearly import YearlyLaunchWorkflow
from tests.workflows.cycle_driver import batch_timeline, batches_at_once
from tests.workflows.markers import markers_of, steps_of


def audit_kind(event: HistoryEvent) -> str | None:
    """The kind of audit event an event schedules the appending of, if it does."""
    scheduled = event.activity_task_scheduled_event_attributes
    if scheduled.activity_type.name != io.APPEND_AUDIT:
        return None
    (appended,) = pydantic_data_converter.payload_converter.from_payloads(
        scheduled.input.payloads, [AuditEvent]
    )
    return str(appended.kind)


HISTORIES = sorted((Path(__file__).resolve().parent.parent / "histories").glob("*.json"))


def test_every_preset_and_path_has_a_committed_history() -> None:
    names = {p.stem for p in HISTORIES}
    kinds = (*PRESETS, "timers", "timers-zoned", "reassigned", "mentor-rules", "indicators")
    years = (2025, 2026, 2027, 2028, 2029)
    in_cycles = tuple(f"appraisal-history-{year}-" for year in years)
    appraisals = {n for n in names if n.startswith("appraisal-history-")}
    assert {n for n in appraisals if not n.startswith(in_cycles)} == {
        f"appraisal-history-{n}" for n in kinds
    }
    # A whole cycle with one of its appraisals: recorded before a launch stored the opening
    # rows (2025), after (2026), once it kept two batches in flight (2027), and once its unit's
    # rating was decided by its official (2028), and once its appraisals opened the appeal
    # window before reporting the stage (2029), so each kind of running cycle and appraisal
    # replays.
    for year, prefix in zip(years, in_cycles, strict=True):
        assert f"cycle-history-{year}" in names
        (appraisal,) = [p for p in HISTORIES if p.stem.startswith(prefix)]
        history = WorkflowHistory.from_json(appraisal.stem, appraisal.read_text())
        wrote_own_row = markers_of(history)[0] == io.SYNC_APPRAISAL
        assert wrote_own_row is (year == 2025)
        cycle = next(p for p in HISTORIES if p.stem == f"cycle-history-{year}")
        history = WorkflowHistory.from_json(cycle.stem, cycle.read_text())
        overlapped = f"patch:{LAUNCH_OVERLAPPED}" in markers_of(history)
        assert overlapped is (year >= 2027)
        assert batches_at_once(batch_timeline(history)) == (2 if overlapped else 1)
        rated = f"patch:{UNIT_RATED_BY_OFFICIAL}" in markers_of(history)
        assert rated is (year >= 2028)
        appended = [audit_kind(e) for e in history.events]
        assert (UNIT_RATING_DECIDED in appended) is rated
        assert (UNIT_RATING_PROPOSED in appended) is rated


def test_wanggar_years_replay_from_before_and_since_its_mentor_rules() -> None:
    # The first Wanggar year was recorded before mentors were chosen by the policy's rules, the
    # second since: both kinds of running appraisal must replay.
    def patched(stem: str) -> bool:
        path = next(p for p in HISTORIES if p.stem == stem)
        return f"patch:{MENTOR_RULES}" in markers_of(
            WorkflowHistory.from_json(stem, path.read_text())
        )

    assert not patched("appraisal-history-wanggar")
    assert patched("appraisal-history-mentor-rules")


def test_histories_hold_both_ways_of_opening_the_appeal_window() -> None:
    # Recorded before the patch, the stage became appeal and was written and reported before
    # the window's deadline was set (and written again); since, the deadline comes first.
    def patched(stem: str) -> bool:
        path = next(p for p in HISTORIES if p.stem == stem)
        return f"patch:{APPEAL_OPENS_WITH_STAGE}" in markers_of(
            WorkflowHistory.from_json(stem, path.read_text())
        )

    took = {p.stem for p in HISTORIES if p.stem.startswith("appraisal-") and patched(p.stem)}
    # The cycle of 2029, where the gap was (an appraisal reports its stage to its cycle).
    assert took == {"appraisal-history-2029-197801062004072147"}


def test_histories_hold_both_ways_of_appending_the_audit_log() -> None:
    # Recorded before the patch, the log was appended by local activities; since, by activities
    # scheduled from committed workflow tasks. Both kinds of running appraisal must replay.
    appended_locally, after_commit = set(), set()
    for path in HISTORIES:
        if not path.stem.startswith("appraisal-history-"):
            continue
        markers = markers_of(WorkflowHistory.from_json(path.stem, path.read_text()))
        if f"patch:{AUDIT_AFTER_COMMIT}" in markers:
            assert io.APPEND_AUDIT not in markers, path.stem
            after_commit.add(path.stem)
        elif io.APPEND_AUDIT in markers:
            appended_locally.add(path.stem)
    assert {"appraisal-history-bukittinggi", "appraisal-history-timers"} <= after_commit
    assert "appraisal-history-national" in appended_locally


def test_deadlines_replay_both_as_durations_and_on_the_organisations_days() -> None:
    # Recorded before the zoned-calendar patch, a task's days were an exact duration from its
    # opening; since, they count on the organisation's clock. The reminders, escalations and
    # fallbacks of both must replay.
    def zoned(stem: str) -> bool:
        path = next(p for p in HISTORIES if p.stem == stem)
        history = WorkflowHistory.from_json(path.stem, path.read_text())
        return f"patch:{ZONED_CALENDAR}" in markers_of(history)

    assert zoned("appraisal-history-timers-zoned")
    assert not zoned("appraisal-history-timers")


def test_histories_hold_both_ways_of_writing_a_step() -> None:
    # Recorded before the patch, a completed task's rows were written one by one by local
    # activities and its events appended apart; since, each step by one activity. Both kinds of
    # running appraisal must replay.
    one_write, row_by_row = set(), set()
    for path in HISTORIES:
        if not path.stem.startswith("appraisal-history-"):
            continue
        history = WorkflowHistory.from_json(path.stem, path.read_text())
        if f"patch:{ONE_WRITE_PER_STEP}" in markers_of(history):
            assert steps_of(history), path.stem
            one_write.add(path.stem)
        else:
            assert not steps_of(history), path.stem
            row_by_row.add(path.stem)
    assert "appraisal-history-wanggar" in one_write
    assert {"appraisal-history-bukittinggi", "appraisal-history-timers"} <= row_by_row


def test_a_history_holds_the_feedback_asked_without_a_report() -> None:
    # Tanjungbalai's discipline and attendance: the patched path, where a period without a
    # report still asks the appraiser's feedback, replays too.
    path = next(p for p in HISTORIES if p.stem == "appraisal-history-indicators")
    history = WorkflowHistory.from_json(path.stem, path.read_text())
    assert f"patch:{MONTHLY_INDICATORS}" in markers_of(history)
    old = [p for p in HISTORIES if p.stem == "appraisal-history-tanjungbalai"]
    for path in old:  # recorded before the rule: no marker, and it replays as it was
        history = WorkflowHistory.from_json(path.stem, path.read_text())
        assert f"patch:{MONTHLY_INDICATORS}" not in markers_of(history)


@pytest.mark.parametrize("path", HISTORIES, ids=lambda p: p.stem)
def test_history_replays_cleanly(path: Path) -> None:
    # The file is named after the workflow id: task ids derive from it.
    history = WorkflowHistory.from_json(path.stem, path.read_text())
    replayer = Replayer(
        workflows=[AppraisalWorkflow, CycleWorkflow, YearlyLaunchWorkflow],
        data_converter=pydantic_data_converter,
    )
    result = asyncio.run(replayer.replay_workflow(history, raise_on_replay_failure=False))
    assert result.replay_failure is None, result.replay_failure


async def test_release_inputs_of_committed_cycles_still_decode() -> None:
    # Cycles recorded before ReleasedGrade sent each grade as `[id, grade, adjusted, reason]`.
    releases: list[ReleaseUnit] = []
    for path in HISTORIES:
        if not path.stem.startswith("cycle-history-"):
            continue
        for event in WorkflowHistory.from_json(path.stem, path.read_text()).events:
            scheduled = event.activity_task_scheduled_event_attributes
            if scheduled.activity_type.name == io.RELEASE_UNIT:
                (release,) = await pydantic_data_converter.decode(
                    scheduled.input.payloads, [ReleaseUnit]
                )
                releases.append(release)
    grades = [g for r in releases for g in r.grades]
    assert grades and all(isinstance(g, ReleasedGrade) for g in grades)
    assert any(g.adjusted for g in grades) and any(g.reason == CALIBRATED for g in grades)
