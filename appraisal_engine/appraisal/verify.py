"""Verify exported histories: replay each against the current workflow code, and re-derive the
appraisal's grade from what the history recorded, with today's domain rules."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from temporalio.client import WorkflowHistory
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.converter import DataConverter
from temporalio.worker import Replayer

from appraisal_engine.appraisal.i18n import _, said_error
from appraisal_engine.appraisal.worker import WORKFLOWS
from appraisal_engine.domain.errors import DomainError
from appraisal_engine.domain.projection import StepProjection
from appraisal_engine.domain.records import AuditEvent, Notification, TaskRecord
from appraisal_engine.domain.review import Review
from appraisal_engine.workflows import messages as m
from appraisal_engine.workflows import search_attributes as sa
from appraisal_engine.workflows.cycle_messages import AppraisalProgress
from appraisal_engine.workflows.history import decode_events
from appraisal_engine.workflows.history_records import (
    AttributesSet,
    Closed,
    HistoryRecord,
    Scheduled,
    Signalled,
    SignalSent,
    Started,
    Updated,
)
from appraisal_engine.workflows.recorded_grade import GradeInputs
from appraisal_engine.workflows.vocabulary import APPRAISAL


@dataclass
class Verdict:
    """What verifying one history file found."""

    path: Path
    workflow_type: str = ""
    replay_error: str | None = None
    recorded: str | None = None  # the grade the workflow computed, as the history records it
    recomputed: str | None = None
    final: str | None = None
    mismatch: bool = False
    note: str = ""

    @property
    def ok(self) -> bool:
        """Replays cleanly and, where there is a grade, the recomputation agrees."""
        return self.replay_error is None and not self.mismatch

    def describe(self) -> str:
        """One line for the report."""
        if not self.workflow_type:  # nothing could be read
            return f"{self.path.name}: {self.replay_error}"
        replay = _("replays cleanly") if self.replay_error is None else _("REPLAY FAILED")
        if self.recorded is None and self.recomputed is None:
            grade = self.note
        else:
            grade = _(
                "grade computed %(recorded)s, recomputed %(recomputed)s: %(agree)s; "
                "final %(final)s",
                recorded=self.recorded or "-",
                recomputed=self.recomputed or "-",
                agree=_("MISMATCH") if self.mismatch else _("ok"),
                final=self.final or "-",
            )
            grade += f" ({self.note})" if self.note else ""
        error = f"\n    {self.replay_error}" if self.replay_error else ""
        return f"{self.path.name}: {replay}; {grade}{error}"


async def verify_files(
    paths: Sequence[Path],
    *,
    data_converter: DataConverter = pydantic_data_converter,
) -> list[Verdict]:
    """Verify each history file in turn: replay, then the grade."""
    replayer = Replayer(workflows=WORKFLOWS, data_converter=data_converter)
    return [await _verify(path, replayer, data_converter) for path in paths]


async def _verify(path: Path, replayer: Replayer, data_converter: DataConverter) -> Verdict:
    verdict = Verdict(path)
    try:
        text = await asyncio.to_thread(path.read_text, encoding="utf-8")
        history = WorkflowHistory.from_json(path.stem, text)
        records = await decode_events(history.events, data_converter)
    except Exception as e:  # any unreadable file is a failed verification, not a crash
        verdict.replay_error = _(
            "cannot read the history: %(error)s: %(message)s",
            error=type(e).__name__,
            message=e,
        )
        return verdict
    started = records[0] if records and isinstance(records[0], Started) else None
    verdict.workflow_type = started.workflow_type if started else ""
    # Task ids derive from the workflow id, so replay under the id the history itself shows;
    # the file name is only the fallback (a copy may be named anything).
    workflow_id = _workflow_id(records) or path.stem
    result = await replayer.replay_workflow(
        WorkflowHistory(workflow_id, history.events), raise_on_replay_failure=False
    )
    if result.replay_failure is not None:
        verdict.replay_error = _reason(result.replay_failure)
    if verdict.workflow_type != APPRAISAL.name:
        verdict.note = (
            _("a %(kind)s history: no grade to check", kind=verdict.workflow_type)
            if verdict.workflow_type
            else _("a history of an unknown workflow: no grade to check")
        )
        return verdict
    _check_grade(verdict, records)
    return verdict


def _reason(failure: Exception) -> str:
    """The replay failure in a line: the core's own message, when it gave one."""
    found = re.search(r'message: "([^"]*)"', str(failure))
    return f"{type(failure).__name__}: {found[1] if found else failure}"


def _workflow_id(records: list[HistoryRecord]) -> str | None:
    """The id the history shows: in its start event, or in what the run recorded under it."""
    for r in records:
        match r:
            case Started(workflow_id=workflow_id) if workflow_id:
                return workflow_id
            case Closed(result=m.AppraisalResult(appraisal_id=appraisal_id)):
                return appraisal_id
            case Updated(result=m.TaskCompleted(task=task)):
                return task.appraisal_id
            case Scheduled(input=Notification(appraisal_id=appraisal_id)):
                return appraisal_id
            case Scheduled(input=AuditEvent(appraisal_id=appraisal_id)) if appraisal_id:
                return appraisal_id
            case Scheduled(input=StepProjection(tasks=[TaskRecord(appraisal_id=appraisal_id), *_])):
                return appraisal_id
            case SignalSent(input=AppraisalProgress(appraisal_id=appraisal_id)):
                return appraisal_id
    return None


def _check_grade(verdict: Verdict, records: list[HistoryRecord]) -> None:
    """Re-derive the grade from the recorded start input, plan, review and community score."""
    inputs = GradeInputs()
    review: Review | None = None
    for r in records:
        match r:
            case Updated(input=m.CompleteTaskInput(body=body), failure=""):
                inputs.body(body)
                if isinstance(body, m.ReviewBody) and review is None:
                    review = body.review
                    inputs.reviewed = True
            case Started(input=m.AppraisalInput() as inp):
                inputs.start(inp)
            case Signalled(input=m.CommunityScore() as score):
                inputs.community_score(score)
            case SignalSent(input=AppraisalProgress() as progress):  # a cycle's appraisal reports
                verdict.recorded = progress.grade_computed or verdict.recorded
                verdict.final = progress.grade_final or verdict.final
            case Closed(result=m.AppraisalResult() as result):
                verdict.recorded, verdict.final = result.grade_computed, result.grade_final
            case AttributesSet(attributes=attributes) if attributes.get(sa.GRADE):
                verdict.final = attributes.get(sa.GRADE)
    if review is None or inputs.plan is None:
        verdict.mismatch = verdict.recorded is not None
        verdict.note = (
            _("a grade with no review") if verdict.mismatch else _("no review: no grade to check")
        )
        return
    try:
        assessment = inputs.grade(review)
    except DomainError as e:
        verdict.mismatch = True
        verdict.note = _("the recorded review cannot be graded: %(error)s", error=said_error(e))
        return
    assert assessment is not None  # a start input and a plan were seen
    verdict.recomputed = assessment.grade.value
    if verdict.recorded is None:  # a run still open, before its grade reached the history
        verdict.note = _("no computed grade recorded yet")
        return
    verdict.mismatch = verdict.recorded != verdict.recomputed
    if verdict.final not in (None, verdict.recorded):
        verdict.note = _("final grade changed by calibration or appeal")


async def verify_and_report(
    paths: Sequence[Path],
    echo: Callable[[str], None],
    data_converter: DataConverter = pydantic_data_converter,
) -> int:
    """Verify the files, echo one line each and a summary; the exit code, 1 on any failure."""
    verdicts = await verify_files(paths, data_converter=data_converter)
    for verdict in verdicts:
        echo(verdict.describe())
    failed = [v.path.name for v in verdicts if not v.ok]
    if failed:
        echo(_("FAILED: %(files)s", files=", ".join(failed)))
        return 1
    echo(_("all %(n)s histories verified", n=len(verdicts)))
    return 0
