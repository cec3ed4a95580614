"""An appraisal's readable timeline, read from its own Temporal event history: who did what, when.

Only what the history holds: the start input, accepted updates, signals, notices, search
attributes, mentor matches and the result. Read-model writes are local activities whose inputs
the history does not keep, and the audit appends repeat what the updates say, so nothing here
comes from them or from any other log."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from pydantic import BaseModel, Field
from temporalio.api.history.v1 import HistoryEvent
from temporalio.client import Client, WorkflowHistory
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.converter import DataConverter

from appraisal_engine.api.history_events import (
    APPRAISAL_WORKFLOW,
    FALLBACK_SAYS,
    TIMER_SLACK,
    GradeInputs,
    Recorded,
    decode_events,
)
from appraisal_engine.api.peer_answers import redact_history
from appraisal_engine.domain.calendar import days
from appraisal_engine.domain.errors import DomainError
from appraisal_engine.domain.records import CascadeRequest, Notification, NotificationKind
from appraisal_engine.domain.records import TaskStatus as Status
from appraisal_engine.domain.review import Review
from appraisal_engine.domain.stages import Stage
from appraisal_engine.domain.tasks import SUPERVISOR_KINDS, Fallback, TaskKind
from appraisal_engine.workflows import messages as m


class TimelineEntry(BaseModel):
    """One step of the year: when, what kind, who, in a sentence, and its details."""

    seq: int = Field(description="position in the timeline, from 0, across runs")
    run_id: str
    event_id: int
    at: datetime
    kind: str
    actor_nip: str | None = None
    summary: str
    detail: dict[str, Any] = Field(default_factory=dict)


class Timeline(BaseModel):
    """Every step of one appraisal, across its runs, oldest first."""

    workflow_id: str
    run_ids: list[str]
    entries: list[TimelineEntry]


class TimelinePage(BaseModel):
    """A slice of a timeline and where the next one starts."""

    entries: list[TimelineEntry]
    total: int
    next_offset: int | None


def _excerpt(text: str, limit: int = 60) -> str:
    """Free text cut to a short excerpt: the timeline summarises, it does not republish."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def _day(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC")


class _Steps:
    """Turns decoded events into entries, keeping what later entries need to be read."""

    def __init__(self, reveal_peers: bool, reveal_answers: bool) -> None:
        self.reveal = reveal_peers
        self.answers = reveal_peers and reveal_answers
        self.entries: list[TimelineEntry] = []
        self.inp: m.AppraisalInput | None = None
        self.supervisor = self.superior = self.stage = ""
        self.inputs = GradeInputs()
        self.grade: str | None = None
        self.released = self.appealed = False
        self.notices: dict[tuple[str, int], TimelineEntry] = {}
        self.pending: dict[str, tuple[TaskKind, datetime]] = {}  # fallbacks still to come
        self.firing: list[tuple[Recorded, str, TaskKind]] = []  # ...whose instant has passed

    def add(
        self, r: Recorded, kind: str, says: str, actor: str | None = None, detail: Any = None
    ) -> TimelineEntry:
        at = {"run_id": r.run_id, "event_id": r.event_id, "at": r.at}
        entry = TimelineEntry(seq=0, **at, kind=kind, actor_nip=actor, summary=says)
        entry.detail = dict(detail or {})
        self.entries.append(entry)
        return entry

    def read(self, r: Recorded) -> None:
        # A completion accepted in the workflow task that a deadline's timer woke wins over the
        # fallback (the workflow acts only on a task still as it was): hold fallbacks till then.
        if r.what != "update":
            self.flush()
        getattr(self, f"_on_{r.what}", lambda r: None)(r)

    def flush(self) -> None:
        for r, task_id, kind in self.firing:
            fallback = self._rule(kind).fallback
            says = f"fallback: {kind.value} {FALLBACK_SAYS.get(fallback, fallback.value)}"
            task = None if self._hide(kind) else task_id
            detail = {"task_id": task, "task_kind": kind.value, "fallback": fallback.value}
            self.add(r, "fallback", says, None, detail)
        self.firing.clear()

    def _rule(self, kind: TaskKind) -> Any:
        assert self.inp is not None
        return self.inp.policy.rule(kind)

    def _hide(self, kind: str) -> bool:
        return kind == TaskKind.PEER_FEEDBACK and not self.reveal

    def _on_started(self, r: Recorded) -> None:
        inp: m.AppraisalInput = r.value
        self.inputs.start(inp)
        self.inp, self.supervisor, self.superior = inp, inp.supervisor_nip, inp.superior_nip
        self.stage = Stage.TARGETS.value  # where every run starts: the start entry says so
        keep = {"employee_nip", "unit_code", "position_level", "supervisor_nip", "superior_nip"}
        keep |= {"cycle_id", "year_start", "community_score", "previous_grade"}
        detail = {**inp.model_dump(mode="json", include=keep), "policy": inp.policy.name}
        if self.reveal:
            detail["peer_nips"] = list(inp.peer_nips)
        verb = f"run continued from {r.note}" if r.note else "appraisal started"
        says = f"{verb}: employee {inp.employee_nip}, unit {inp.unit_code}, policy "
        says += f"{inp.policy.name}; supervisor {inp.supervisor_nip}, superior {inp.superior_nip}"
        self.add(r, "started", says, None, detail)

    def _on_update(self, r: Recorded) -> None:
        v, actor = r.value, getattr(r.value, "actor_nip", None)
        if r.note:  # accepted, then refused by the handler: it changed nothing
            if isinstance(v, m.CompleteTaskInput) and self._hide(v.body.kind):
                actor = None
            self.add(r, "update.failed", f"{r.name} not applied: {r.note}", actor)
        elif isinstance(v, m.CompleteTaskInput):
            self._task(r, v)
        elif isinstance(v, m.FileAppealInput):
            self.appealed, said = True, _excerpt(v.reason)
            self.add(r, "appeal.filed", f"appealed the grade {self.grade}: {said}", actor)
        elif isinstance(v, m.ExtendDeadlineInput):
            self.pending.pop(v.task_id, None)
            task = r.outcome.tasks[0] if isinstance(r.outcome, m.HrActionDone) else None
            kind, said = task.kind.value if task else "a task", _excerpt(v.reason)
            says = f"moved the deadline of {kind} to {_day(v.due_at)}: {said}"
            task_id = None if self._hide(kind) else v.task_id
            detail = {"task_id": task_id, "task_kind": kind, "due_at": v.due_at.isoformat()}
            self.add(r, "deadline.extended", says, actor, detail)
        elif isinstance(v, m.ReassignInput):
            self._reassign(r, v)
        elif isinstance(v, m.CancelInput):
            self.pending.clear()
            self.add(r, "cancelled", f"cancelled the appraisal: {_excerpt(v.reason)}", actor)
        else:
            self.add(r, "update", f"update {r.name}", actor)

    def _task(self, r: Recorded, v: m.CompleteTaskInput) -> None:
        self.pending.pop(v.task_id, None)
        self.firing = [f for f in self.firing if f[1] != v.task_id]
        period = r.outcome.task.period if isinstance(r.outcome, m.TaskCompleted) else None
        says, detail = self._say(v.body, period)
        if self._hide(v.body.kind):  # nor the task id: the inbox would name the peer
            self.add(r, v.body.kind, says)
        else:
            self.add(r, v.body.kind, says, v.actor_nip, {"task_id": v.task_id, **detail})

    def _say(self, body: m.TaskBody, period: int | None) -> tuple[str, dict[str, Any]]:
        at = f" for period {period}" if period else ""
        self.inputs.body(body)
        match body:
            case m.TargetsDraftBody(plan=plan):
                return f"drafted {len(plan.ids)} targets ({', '.join(plan.ids)})", {}
            case m.TargetsApproveBody(decision="approve"):
                return "approved the targets", {}
            case m.TargetsApproveBody(comment=comment):
                return f"returned the targets: {_excerpt(comment)}", {}
            case m.SelfReportBody(report=report):
                values = {x.target_id: x.value for x in report.realisations}
                files = sum(len(x.evidence) for x in report.realisations)
                says = f"self-report{at}: {len(values)} realisations, {files} evidence files"
                return says, {"period": period, "realisations": values}
            case m.FeedbackBody():
                return f"feedback{at}", {"period": period}
            case m.PeerFeedbackBody(answers=answers) if self.answers:
                scores = {d.value: s for d, s in answers.scores.items()}
                mean = round(sum(scores.values()) / len(scores), 2)
                return f"answered the peer survey (mean {mean})", {"scores": scores}
            case m.PeerFeedbackBody() if self.reveal:  # who and when, not what
                return "answered the peer survey", {}
            case m.PeerFeedbackBody():
                return "a peer answered the survey", {}
            case m.ReviewBody(review=review):
                return self._review(review)
            case m.AppealDecideBody(decision="change", grade=grade, reason=reason):
                return f"changed the grade to {grade}: {_excerpt(reason)}", {"grade": grade}
            case m.AppealDecideBody(reason=reason):
                return f"upheld the grade: {_excerpt(reason)}", {}
            case m.MentorshipAcceptBody(accept=accept):
                return f"{'accepted' if accept else 'declined'} the mentorship", {}
        return str(body.kind), {}

    def _review(self, review: Review) -> tuple[str, dict[str, Any]]:
        detail = review.model_dump(mode="json", exclude={"comment"})
        try:
            a = self.inputs.grade(review)
        except DomainError as e:
            return f"review that cannot be graded: {e}", detail
        if a is None:
            return f"review: {len(review.target_ratings)} targets rated", detail
        capped = " (capped by the community score)" if a.behaviour_capped else ""
        detail["assessment"] = a.model_dump(mode="json")
        says = f"review: results {a.results}, behaviour {a.behaviour}{capped} → grade {a.grade}"
        return says, detail

    def _reassign(self, r: Recorded, v: m.ReassignInput) -> None:
        old = self.supervisor
        self.supervisor, self.superior = v.supervisor_nip, v.superior_nip or self.superior
        tasks = r.outcome.tasks if isinstance(r.outcome, m.HrActionDone) else []
        moved = [t.id for t in tasks if t.status is Status.SUPERSEDED]
        for task_id in moved:
            self.pending.pop(task_id, None)
        says = f"moved the appraisal from supervisor {old} to {v.supervisor_nip} (superior "
        says += f"{self.superior}); {len(moved)} open tasks moved; reason: {_excerpt(v.reason)}"
        detail = {"from": old, "to": v.supervisor_nip, "superior": self.superior, "moved": moved}
        self.add(r, "reassigned", says, v.actor_nip, detail)

    def _on_activity(self, r: Recorded) -> None:
        if isinstance(r.value, CascadeRequest):
            ids = r.value.workflow_ids
            says = f"approved targets passed down to {len(ids)} subordinates' appraisals"
            self.add(r, "cascade", says, None, {"workflow_ids": ids})
            return
        note: Notification = r.value
        kind, rule = note.task_kind.value, self._rule(note.task_kind)
        hidden = self._hide(kind)
        told = [] if hidden and note.kind is NotificationKind.REMINDER else note.recipients
        detail: dict[str, Any] = {"task_id": None if hidden else note.task_id, "task_kind": kind}
        detail |= {"due_at": note.due_at.isoformat(), "recipients": told}
        if note.kind is NotificationKind.REMINDER:
            to = f", sent to {', '.join(told)}" if told else ""
            says = f"reminder: {kind} due {_day(note.due_at)}{to}"
            entry = self.add(r, "reminder", says, None, detail)
        elif note.kind is NotificationKind.ESCALATION:
            # An appraiser's task moves to the superior, and then only the superior is told.
            moved = note.task_kind in SUPERVISOR_KINDS and note.recipients == [self.superior]
            to = f"moved to the superior {self.superior}" if moved else f"told {', '.join(told)}"
            detail["moved_to"] = self.superior if moved else None
            entry = self.add(
                r, "escalation", f"escalation: {kind} past its deadline, {to}", None, detail
            )
            if rule.fallback is not Fallback.WAIT:  # those fallbacks send no notice: watch timers
                due = note.due_at + (timedelta(0) if moved else days(rule.escalation_days))
                self.pending[note.task_id] = (note.task_kind, due)
        else:
            says = f"fallback: {kind} flagged overdue, waiting for HR; told {', '.join(told)}"
            entry = self.add(r, "fallback", says, None, {**detail, "fallback": rule.fallback})
        self.notices[(r.run_id, r.event_id)] = entry

    def _on_activity_failed(self, r: Recorded) -> None:
        if (entry := self.notices.get((r.run_id, r.value))) is not None:
            entry.detail["delivered"] = False

    def _on_timer(self, r: Recorded) -> None:
        for task_id, (kind, due) in list(self.pending.items()):
            if r.at + TIMER_SLACK >= due:
                del self.pending[task_id]
                self.firing.append((r, task_id, kind))

    def _on_signal(self, r: Recorded) -> None:
        v = r.value
        if isinstance(v, m.ReleaseGrade):
            self.released = True
            why = f", adjusted: {_excerpt(v.reason)}" if v.adjusted else ""
            detail = {"grade": v.grade, "adjusted": v.adjusted}
            self.add(r, "grade.released", f"the cycle released {v.grade}{why}", v.actor_nip, detail)
        elif isinstance(v, m.CommunityScore):
            used = self.inputs.community_score(v)
            why = "" if used else " (not used: another unit, or after the review)"
            says = f"citizen satisfaction of unit {v.unit_code}: {v.score}{why}"
            self.add(r, "community_score", says, None, {"score": v.score, "used": used})
        elif isinstance(v, m.SupervisorTargetsApproved):
            ids = [t.id for t in v.targets]
            says = f"the supervisor's targets are approved ({len(ids)}): drafting may start"
            self.add(r, "supervisor_targets_approved", says, None, {"targets": ids})
        else:
            self.add(r, "signal", f"signal {r.name}")

    def _on_mentor(self, r: Recorded) -> None:
        if nip := getattr(r.value, "mentor_nip", None):
            self.add(r, "mentor.matched", f"mentor matched: {nip}", None, {"mentor_nip": nip})
        else:
            self.add(r, "mentor.none", "no mentor with room was found")

    def _on_attributes(self, r: Recorded) -> None:
        grade, stage = r.value.get("AppraisalGrade"), r.value.get("AppraisalStage")
        if grade and grade != self.grade:
            if self.grade is not None:
                says = f"final grade now {grade} (was {self.grade})"
                self.add(r, "grade.changed", says, None, {"grade": grade})
            elif not self.released:  # no release signal came: a standalone year released its own
                self.add(r, "grade.released", f"grade released: {grade}", None, {"grade": grade})
            self.grade = grade
        if stage and stage != self.stage:
            quiet = self.stage == Stage.APPEAL and stage == Stage.OUTCOME and not self.appealed
            why = " (the appeal window closed with no appeal)" if quiet else ""
            self.add(r, "stage", f"stage: {stage}{why}", None, {"stage": stage})
            self.stage = stage

    def _on_closed(self, r: Recorded) -> None:
        if not isinstance(res := r.value, m.AppraisalResult):
            self.add(r, r.name, f"run {r.name.replace('_', ' ')} {r.note}".strip())
            return
        says = f"the year ended ({res.stage.value}); grade computed "
        says += f"{res.grade_computed or '-'}, final {res.grade_final or '-'}"
        if res.outcome is not None:
            awards = ", ".join(a.value for a in res.outcome.awards)
            says += f"; outcome {res.outcome.kind.value}" + (f" ({awards})" if awards else "")
        says += f"; mentor {res.mentor_nip}" if res.mentor_nip else ""
        says += f"; flags {', '.join(res.flags)}" if res.flags else ""
        self.add(r, "completed", says, None, res.model_dump(mode="json"))


async def build_timeline(
    *runs: WorkflowHistory | Sequence[HistoryEvent],
    workflow_id: str | None = None,
    reveal_peers: bool = False,
    reveal_answers: bool = False,
    data_converter: DataConverter = pydantic_data_converter,
) -> Timeline:
    """An appraisal's timeline from its runs' histories, oldest first; peers named if asked,
    and their raw answers (scores) only if asked too."""
    steps = _Steps(reveal_peers, reveal_answers)
    run_ids: list[str] = []
    for run in runs:
        if isinstance(run, WorkflowHistory):
            workflow_id = workflow_id or run.workflow_id
        records = await decode_events(
            run.events if isinstance(run, WorkflowHistory) else run, data_converter
        )
        if not records or records[0].what != "started" or records[0].name != APPRAISAL_WORKFLOW:
            raise ValueError("not the history of an appraisal")
        run_ids.append(records[0].run_id)
        for record in records:
            steps.read(record)
    steps.flush()
    order = sorted(steps.entries, key=lambda e: (run_ids.index(e.run_id), e.event_id))
    entries = [e.model_copy(update={"seq": i}) for i, e in enumerate(order)]
    return Timeline(workflow_id=workflow_id or "", run_ids=run_ids, entries=entries)


def page(timeline: Timeline, offset: int = 0, limit: int = 50) -> TimelinePage:
    """`limit` entries from `offset`; `next_offset` is None on the last page."""
    entries = timeline.entries[offset : offset + limit]
    after = offset + len(entries)
    more = bool(entries) and after < len(timeline.entries)
    return TimelinePage(
        entries=entries, total=len(timeline.entries), next_offset=after if more else None
    )


async def fetch_runs(client: Client, workflow_id: str) -> list[WorkflowHistory]:
    """Every run of a workflow, oldest first, following continue-as-new back from the latest."""
    runs: list[WorkflowHistory] = []
    run_id: str | None = None
    while True:
        history = await client.get_workflow_handle(workflow_id, run_id=run_id).fetch_history()
        runs.insert(0, history)
        run_id = history.events[
            0
        ].workflow_execution_started_event_attributes.continued_execution_run_id
        if not run_id:
            return runs


async def export_history_json(
    client: Client, workflow_id: str, run_id: str | None = None, *, reveal_answers: bool = False
) -> str:
    """The raw history as Temporal's JSON, as `temporal workflow show --output json` has it;
    unless `reveal_answers`, each payload holding a peer's answers is replaced by a redacted
    one (encoded as the rest), so such a history no longer replays."""
    history = await client.get_workflow_handle(workflow_id, run_id=run_id).fetch_history()
    if not reveal_answers:
        await redact_history(history, client.data_converter.payload_codec)
    return history.to_json()
