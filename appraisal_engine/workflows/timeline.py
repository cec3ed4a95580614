"""An appraisal's readable timeline, read from its own Temporal event history: who did what, when.

Only what the history records (see `history`): the start input, accepted updates, signals,
notices, the audit events the workflow schedules, search attributes, mentor matches and the
result. Read-model writes are local activities whose inputs the history does not keep, so nothing
here comes from them or from any other log. Runs recorded before the workflow scheduled its audit
events (see `fallbacks`) are the one place where a step is inferred: a fallback, from its timer
(and its entry says so), and an escalation's move to the superior, from who was told."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field
from temporalio.api.history.v1 import HistoryEvent
from temporalio.client import WorkflowHistory
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.converter import DataConverter

from appraisal_engine.domain.audit_kinds import TASK_ESCALATED, TASK_OVERDUE
from appraisal_engine.domain.projection import StepProjection
from appraisal_engine.domain.records import AuditEvent, CascadeRequest, MentorMatch, Notification
from appraisal_engine.domain.records import NotificationKind as Notice
from appraisal_engine.domain.records import TaskStatus as Status
from appraisal_engine.domain.stages import Stage
from appraisal_engine.domain.tasks import SUPERVISOR_KINDS, Fallback, TaskKind
from appraisal_engine.workflows import io
from appraisal_engine.workflows import messages as m
from appraisal_engine.workflows import search_attributes as sa
from appraisal_engine.workflows.fallbacks import InferredFallbacks, audited
from appraisal_engine.workflows.history import HistoryError, decode_events
from appraisal_engine.workflows.history_records import (
    ActivityFailed,
    AttributesSet,
    Closed,
    HistoryRecord,
    LocalActivity,
    Patched,
    Record,
    Scheduled,
    Signalled,
    SignalSent,
    Started,
    TimerFired,
    Updated,
)
from appraisal_engine.workflows.timeline_tasks import TaskSteps, excerpt
from appraisal_engine.workflows.vocabulary import APPRAISAL


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


FALLBACK_SAYS = {
    Fallback.RECORD_MISSING: "recorded as missing; the year goes on",
    Fallback.UPHOLD_GRADE: "undecided in time, so the grade stands as released",
    Fallback.NEXT_MENTOR: "unanswered in time, so the offer goes to the next candidate",
}


def _day(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC")


class _Steps(TaskSteps):
    """Turns decoded records into entries, keeping what later entries need to be read."""

    def __init__(self, reveal_peers: bool, reveal_answers: bool) -> None:
        super().__init__(reveal_peers, reveal_answers)
        self.entries: list[TimelineEntry] = []
        self.notices: dict[tuple[str, int], TimelineEntry] = {}
        self.moved: set[str] = set()  # tasks the superior took over at their deadline
        self.inferred: InferredFallbacks | None = None  # in a run without audit events

    def add(
        self,
        r: Record,
        kind: str,
        says: str,
        actor: str | None = None,
        detail: Any = None,
        at: datetime | None = None,
    ) -> TimelineEntry:
        entry = TimelineEntry(
            seq=0,
            run_id=r.run_id,
            event_id=r.event_id,
            at=at or r.at,
            kind=kind,
            actor_nip=actor,
            summary=says,
            detail=dict(detail or {}),
        )
        self.entries.append(entry)
        return entry

    def run(self, records: Sequence[HistoryRecord]) -> None:
        """Read one run, oldest record first."""
        audits = [e for r in records if isinstance(r, Scheduled) for e in _events(r.input)]
        self.moved = {
            str(a.payload["to_task"])  # the superior's new task, which its notice names
            for a in audits
            if isinstance(a, AuditEvent) and a.kind == TASK_ESCALATED and "to_task" in a.payload
        }
        self.inferred = None if audited(records) else InferredFallbacks()
        for r in records:
            self.read(r)
        self.settle()

    def read(self, r: HistoryRecord) -> None:
        if self.inferred is not None and not isinstance(r, Updated):
            self.settle()
        match r:
            case Started():
                self._started(r)
            case Updated():
                self._update(r)
            case Signalled():
                self._signal(r)
            case Scheduled(input=Notification() as note):
                self._notice(r, note)
            case Scheduled(input=CascadeRequest(workflow_ids=ids)):
                says = f"approved targets passed down to {len(ids)} subordinates' appraisals"
                self.add(r, "cascade", says, None, {"workflow_ids": ids})
            case Scheduled(input=AuditEvent() as event):
                self._audit(r, event)
            case Scheduled(input=StepProjection(events=events)):
                for event in events:
                    self._audit(r, event)
            case ActivityFailed(scheduled_event_id=scheduled):
                if (entry := self.notices.get((r.run_id, scheduled))) is not None:
                    entry.detail["delivered"] = False
            case LocalActivity(name=io.MATCH_MENTOR, failed=False, result=MentorMatch() as match):
                self._mentor(r, match)
            case AttributesSet():
                self._attributes(r)
            case TimerFired():
                if self.inferred is not None:
                    self.inferred.timer(r)
            case Closed():
                self._closed(r)
            case LocalActivity() | Patched() | SignalSent():
                pass  # read-model writes, failed attempts, patches, progress: told elsewhere
            case _:
                raise HistoryError(f"an appraisal does not record {type(r).__name__} events")

    def settle(self) -> None:
        """Enter the fallbacks inferred so far (a run recorded before its audit events)."""
        if self.inferred is None:
            return
        for r, task_id, kind in self.inferred.fired():
            entry = self._fallback(r, task_id, kind, self.rule(kind).fallback)
            entry.summary += " (inferred from its timer: this run did not record it)"
            entry.detail["inferred"] = True

    def _fallback(
        self,
        r: Record,
        task_id: str,
        kind: TaskKind,
        fallback: Fallback,
        at: datetime | None = None,
    ) -> TimelineEntry:
        says = f"fallback: {kind.value} {FALLBACK_SAYS.get(fallback, fallback.value)}"
        task = None if self.hide(kind) else task_id
        detail = {"task_id": task, "task_kind": kind.value, "fallback": fallback.value}
        return self.add(r, "fallback", says, None, detail, at)

    def _started(self, r: Started) -> None:
        inp: m.AppraisalInput = r.input
        self.start(inp)
        self.stage = Stage.TARGETS.value  # where every run starts: the start entry says so
        keep = {"employee_nip", "unit_code", "position_level", "supervisor_nip", "superior_nip"}
        keep |= {"cycle_id", "year_start", "community_score", "previous_grade"}
        detail = {**inp.model_dump(mode="json", include=keep), "policy": inp.policy.name}
        if self.reveal:
            detail["peer_nips"] = list(inp.peer_nips)
        verb = f"run continued from {r.continued_from}" if r.continued_from else "appraisal started"
        says = f"{verb}: employee {inp.employee_nip}, unit {inp.unit_code}, policy "
        says += f"{inp.policy.name}; supervisor {inp.supervisor_nip}, superior {inp.superior_nip}"
        self.add(r, "started", says, None, detail)

    def _update(self, r: Updated) -> None:
        v, actor = r.input, getattr(r.input, "actor_nip", None)
        if r.failure:  # accepted, then refused by the handler: it changed nothing
            if isinstance(v, m.CompleteTaskInput) and self.hide(v.body.kind):
                actor = None
            self.add(r, "update.failed", f"{r.name} not applied: {r.failure}", actor)
        elif isinstance(v, m.CompleteTaskInput):
            self._task(r, v)
        elif isinstance(v, m.FileAppealInput):
            self.appealed, said = True, excerpt(v.reason)
            self.add(r, "appeal.filed", f"appealed the grade {self.grade}: {said}", actor)
        elif isinstance(v, m.ExtendDeadlineInput):
            if self.inferred is not None:
                self.inferred.closed(v.task_id)
            task = r.result.tasks[0] if isinstance(r.result, m.HrActionDone) else None
            kind, said = task.kind.value if task else "a task", excerpt(v.reason)
            says = f"moved the deadline of {kind} to {_day(v.due_at)}: {said}"
            task_id = None if self.hide(kind) else v.task_id
            detail = {"task_id": task_id, "task_kind": kind, "due_at": v.due_at.isoformat()}
            self.add(r, "deadline.extended", says, actor, detail)
        elif isinstance(v, m.ReassignInput):
            self._reassign(r, v)
        elif isinstance(v, m.CancelInput):
            if self.inferred is not None:
                self.inferred.cancelled()
            self.add(r, "cancelled", f"cancelled the appraisal: {excerpt(v.reason)}", actor)
        else:
            raise HistoryError(f"an appraisal does not record the update {r.name}")

    def _task(self, r: Updated, v: m.CompleteTaskInput) -> None:
        if self.inferred is not None:
            self.inferred.completed(v.task_id)
        period = r.result.task.period if isinstance(r.result, m.TaskCompleted) else None
        says, detail = self.say(v.body, period)
        if self.hide(v.body.kind):  # nor the task id: the inbox would name the peer
            self.add(r, v.body.kind, says)
        else:
            self.add(r, v.body.kind, says, v.actor_nip, {"task_id": v.task_id, **detail})

    def _reassign(self, r: Updated, v: m.ReassignInput) -> None:
        old = self.supervisor
        self.supervisor, self.superior = v.supervisor_nip, v.superior_nip or self.superior
        tasks = r.result.tasks if isinstance(r.result, m.HrActionDone) else []
        moved = [t.id for t in tasks if t.status is Status.SUPERSEDED]
        if self.inferred is not None:
            for task_id in moved:
                self.inferred.closed(task_id)
        says = f"moved the appraisal from supervisor {old} to {v.supervisor_nip} (superior "
        says += f"{self.superior}); {len(moved)} open tasks moved; reason: {excerpt(v.reason)}"
        detail = {"from": old, "to": v.supervisor_nip, "superior": self.superior, "moved": moved}
        self.add(r, "reassigned", says, v.actor_nip, detail)

    def _notice(self, r: Scheduled, note: Notification) -> None:
        self.kinds[note.task_id] = note.task_kind
        kind, rule = note.task_kind.value, self.rule(note.task_kind)
        hidden = self.hide(kind)
        told = [] if hidden and note.kind is Notice.REMINDER else note.recipients
        detail: dict[str, Any] = {"task_id": None if hidden else note.task_id, "task_kind": kind}
        detail |= {"due_at": note.due_at.isoformat(), "recipients": told}
        if note.kind is Notice.REMINDER:
            to = f", sent to {', '.join(told)}" if told else ""
            says = f"reminder: {kind} due {_day(note.due_at)}{to}"
            entry = self.add(r, "reminder", says, None, detail)
        elif note.kind is Notice.ESCALATION:
            moved = self._moved(note)
            to = f"moved to the superior {self.superior}" if moved else f"told {', '.join(told)}"
            detail["moved_to"] = self.superior if moved else None
            entry = self.add(
                r, "escalation", f"escalation: {kind} past its deadline, {to}", None, detail
            )
            if self.inferred is not None and rule.fallback is not Fallback.WAIT:
                self.inferred.escalated(note, rule, moved)
        else:
            says = f"fallback: {kind} flagged overdue, waiting for HR; told {', '.join(told)}"
            entry = self.add(r, "fallback", says, None, {**detail, "fallback": rule.fallback})
        self.notices[(r.run_id, r.event_id)] = entry

    def _moved(self, note: Notification) -> bool:
        """Whether the superior took the escalated task over: the audit event says so; in a run
        without audit events, an appraiser's task escalated to the superior alone was moved."""
        if self.inferred is None:
            return note.task_id in self.moved
        return note.task_kind in SUPERVISOR_KINDS and note.recipients == [self.superior]

    def _audit(self, r: Scheduled, event: AuditEvent) -> None:
        """A fallback other than waiting is the one decision only the audit event records; the
        rest repeat what the updates, signals and notices say (a wait's notice is its entry)."""
        if event.kind != TASK_OVERDUE:
            return
        fallback = Fallback(event.payload["fallback"])
        if fallback is Fallback.WAIT:
            return
        task_id = str(event.payload["task_id"])
        if (kind := self.kinds.get(task_id)) is None:
            raise HistoryError(f"a fallback for task {task_id}, which no earlier event names")
        self._fallback(r, task_id, kind, fallback, event.at)

    def _signal(self, r: Signalled) -> None:
        v = r.input
        if isinstance(v, m.ReleaseGrade):
            self.released = True
            why = f", adjusted: {excerpt(v.reason)}" if v.adjusted else ""
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
            raise HistoryError(f"an appraisal does not record the signal {r.name}")

    def _mentor(self, r: LocalActivity, match: MentorMatch) -> None:
        if nip := match.mentor_nip:
            self.add(r, "mentor.matched", f"mentor matched: {nip}", None, {"mentor_nip": nip})
        else:
            self.add(r, "mentor.none", "no mentor with room was found")

    def _attributes(self, r: AttributesSet) -> None:
        grade, stage = r.attributes.get(sa.GRADE), r.attributes.get(sa.STAGE)
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

    def _closed(self, r: Closed) -> None:
        if not isinstance(res := r.result, m.AppraisalResult):
            self.add(r, r.how, f"run {r.how.replace('_', ' ')} {r.note}".strip())
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
        events = run.events if isinstance(run, WorkflowHistory) else run
        if not _appraisal(events):
            raise ValueError("not the history of an appraisal")
        records = await decode_events(events, data_converter)
        run_ids.append(records[0].run_id)
        steps.run(records)
    order = sorted(steps.entries, key=lambda e: (run_ids.index(e.run_id), e.event_id))
    entries = [e.model_copy(update={"seq": i}) for i, e in enumerate(order)]
    return Timeline(workflow_id=workflow_id or "", run_ids=run_ids, entries=entries)


def _events(value: object) -> list[object]:
    """The audit events an activity's input holds: itself, or a step's."""
    return list(value.events) if isinstance(value, StepProjection) else [value]


def _appraisal(events: Sequence[HistoryEvent]) -> bool:
    """Whether a history is an appraisal's, from its first event: its start."""
    if not events or not events[0].HasField("workflow_execution_started_event_attributes"):
        return False
    started = events[0].workflow_execution_started_event_attributes
    return started.workflow_type.name == APPRAISAL.name


def page(timeline: Timeline, offset: int = 0, limit: int = 50) -> TimelinePage:
    """`limit` entries from `offset`; `next_offset` is None on the last page."""
    entries = timeline.entries[offset : offset + limit]
    after = offset + len(entries)
    more = bool(entries) and after < len(timeline.entries)
    return TimelinePage(
        entries=entries, total=len(timeline.entries), next_offset=after if more else None
    )
