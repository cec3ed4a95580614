"""Notices in the outbox: what is told to whom about which task or decision, the idempotency key
that makes a retried step write it once, and how long a failed delivery waits before the next
try; and each person's preferences (a daily digest, quiet hours) with when a notice may go out
under them. NIPs and ids only: the address is looked up when the notice is sent."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta, tzinfo
from enum import StrEnum

from pydantic import model_validator

from appraisal_engine.domain.model import Value
from appraisal_engine.domain.records import Notification, TaskRecord, TaskStatus
from appraisal_engine.domain.tasks import TaskKind


class NoticeKind(StrEnum):
    """Why someone is told: about a task, or of a decision on their appraisal."""

    TASK_OPENED = "task_opened"
    REMINDER = "reminder"
    ESCALATION = "escalation"
    MISSED = "missed"  # to the one whose deadline passed and was escalated
    OVERDUE = "overdue"
    DECISION = "decision"


class Decision(StrEnum):
    """A decision the employee is told of (domain.notice_decisions says which step takes it)."""

    TARGETS_RETURNED = "targets_returned"
    TARGETS_APPROVED = "targets_approved"
    GRADE_RELEASED = "grade_released"
    APPEAL_DECIDED = "appeal_decided"
    MENTORSHIP_ARRANGED = "mentorship_arranged"


class NoticeStatus(StrEnum):
    """Where a notice stands in the outbox."""

    PENDING = "pending"
    SENT = "sent"  # the mail server accepted it
    FAILED = "failed"  # refused for good, or out of attempts
    SKIPPED = "skipped"  # nobody to send it to (no address) or nothing left to tell (task closed)


class NoticeChannel(StrEnum):
    """How a notice reaches its person: each channel's delivery is its own outbox row."""

    EMAIL = "email"
    WEBHOOK = "webhook"  # a chat gateway (WhatsApp, Telegram), to the person's phone


class Notice(Value):
    """One outbox row: one notice to one person on one channel, about a task (its id, kind and
    deadline) or of a decision (no task)."""

    id: str
    channel: NoticeChannel = NoticeChannel.EMAIL
    recipient_nip: str
    kind: NoticeKind
    task_id: str | None = None
    task_kind: TaskKind | None = None
    appraisal_id: str
    due_at: datetime | None = None
    decision: Decision | None = None
    created_at: datetime
    status: NoticeStatus = NoticeStatus.PENDING
    attempts: int = 0
    next_attempt_at: datetime
    last_error: str | None = None  # an error class or an SMTP code: never an address
    sent_at: datetime | None = None
    read_at: datetime | None = None  # opened by the recipient in the web app

    def on(self, channel: NoticeChannel) -> Notice:
        """This notice's row for another channel: its own id (the key the channel's receiver
        deduplicates by) and its own delivery, the cause and the clock the same."""
        if channel is self.channel:
            return self
        return self.model_copy(
            update={
                "id": f"{self.id}:{channel.value}",
                "channel": channel,
                "status": NoticeStatus.PENDING,
                "attempts": 0,
                "next_attempt_at": self.created_at,
                "last_error": None,
                "sent_at": None,
            }
        )


def notice_id(kind: NoticeKind, task_id: str, recipient: str, due_at: datetime) -> str:
    """The idempotency key: what caused the notice. A task is announced to its assignee once
    (a rewrite of the open task announces nothing new); a reminder, an escalation or an overdue
    notice once per deadline, so an extended deadline brings its own."""
    if kind is NoticeKind.TASK_OPENED:
        return f"{task_id}:{kind.value}:{recipient}"
    return f"{task_id}:{kind.value}:{due_at.strftime('%Y%m%dT%H%M%SZ')}:{recipient}"


def _notice(
    kind: NoticeKind, task_id: str, task_kind: TaskKind, appraisal_id: str, recipient: str,
    due_at: datetime, now: datetime,
) -> Notice:  # fmt: skip
    return Notice(
        id=notice_id(kind, task_id, recipient, due_at),
        recipient_nip=recipient,
        kind=kind,
        task_id=task_id,
        task_kind=task_kind,
        appraisal_id=appraisal_id,
        due_at=due_at,
        created_at=now,
        next_attempt_at=now,
    )


def opening_notice(task: TaskRecord, now: datetime) -> Notice | None:
    """The notice announcing a task just opened; None for a closed task, for one opened by an
    escalation, which the escalation notice announces, and for a plan to draft again after its
    return, which the notice of the return announces (one message, not two, for one event)."""
    if task.status is not TaskStatus.OPEN or task.escalated:
        return None
    if task.kind is TaskKind.TARGETS_DRAFT and task.detail.get("returned_with") is not None:
        return None
    return _notice(
        NoticeKind.TASK_OPENED, task.id, task.kind, task.appraisal_id, task.assignee_nip,
        task.due_at, now,
    )  # fmt: skip


def deadline_notices(note: Notification, now: datetime) -> list[Notice]:
    """One notice per recipient of a reminder, an escalation or an overdue notice."""
    kind = NoticeKind(note.kind.value)
    return [
        _notice(kind, note.task_id, note.task_kind, note.appraisal_id, nip, note.due_at, now)
        for nip in dict.fromkeys(note.recipients)
    ]


def missed_notice(missed: TaskRecord, told: list[str], now: datetime) -> Notice | None:
    """The notice to the one who let `missed` pass its deadline, about that task; None when the
    escalation tells them already (`told`)."""
    if missed.assignee_nip in told:
        return None
    return _notice(
        NoticeKind.MISSED, missed.id, missed.kind, missed.appraisal_id, missed.assignee_nip,
        missed.due_at, now,
    )  # fmt: skip


def decision_notice(
    decision: Decision, cause: str, appraisal_id: str, employee_nip: str, now: datetime
) -> Notice:
    """The notice telling the employee of a decision; `cause` is the id of what decided it (the
    approval task, or the appraisal for a decision taken once a year), so the decision is told
    once however often its step is written."""
    return Notice(
        id=f"{cause}:{decision.value}:{employee_nip}",
        recipient_nip=employee_nip,
        kind=NoticeKind.DECISION,
        appraisal_id=appraisal_id,
        decision=decision,
        created_at=now,
        next_attempt_at=now,
    )


def retry_delay(attempts: int, base: timedelta, cap: timedelta) -> timedelta:
    """How long to wait after the `attempts`-th failed try: doubling from `base`, at most `cap`."""
    return min(base * (1 << min(max(attempts - 1, 0), 30)), cap)


# Notices about something already late or coming up: one a day is enough. A new task and an
# escalation (now someone else's to do) go at once.
DIGESTED = frozenset({NoticeKind.REMINDER, NoticeKind.OVERDUE})


class NoticePreferences(Value):
    """How one person wants to be told: reminders and overdue notices gathered into one daily
    digest, and quiet hours (the organisation's local time; 21:00 to 06:00 spans midnight)
    in which nothing is sent to them. No quiet hours: both None."""

    nip: str
    digest: bool = False
    quiet_start: time | None = None
    quiet_end: time | None = None

    @model_validator(mode="after")
    def _quiet_hours(self) -> NoticePreferences:
        if (self.quiet_start is None) != (self.quiet_end is None):
            raise ValueError("quiet hours need both a start and an end")
        if self.quiet_start is not None and self.quiet_start == self.quiet_end:
            raise ValueError("quiet hours must end at another time than they start")
        return self


def is_quiet(local: time, start: time | None, end: time | None) -> bool:
    """Whether a local wall-clock time falls in quiet hours [start, end), across midnight when
    the end comes before the start."""
    if start is None or end is None or start == end:
        return False
    local = local.replace(tzinfo=None)
    if start < end:
        return start <= local < end
    return local >= start or local < end


def after_quiet_hours(moment: datetime, prefs: NoticePreferences, zone: tzinfo) -> datetime:
    """`moment`, or, when it falls in the person's quiet hours, the moment they end."""
    local = moment.astimezone(zone)
    if prefs.quiet_end is None or not is_quiet(local.time(), prefs.quiet_start, prefs.quiet_end):
        return moment
    end = local.replace(
        hour=prefs.quiet_end.hour, minute=prefs.quiet_end.minute, second=0, microsecond=0
    )
    if end <= local:
        end += timedelta(days=1)
    return end.astimezone(UTC)


def digest_time(created_at: datetime, hour: int, zone: tzinfo) -> datetime:
    """The first digest of a notice written at `created_at`: the day's digest hour (local), or
    the next day's once that hour has passed."""
    local = created_at.astimezone(zone)
    at = local.replace(hour=hour, minute=0, second=0, microsecond=0)
    if at < local:
        at += timedelta(days=1)
    return at.astimezone(UTC)


def in_digest(kind: NoticeKind, prefs: NoticePreferences) -> bool:
    """Whether a notice of `kind` waits for the person's daily digest."""
    return prefs.digest and kind in DIGESTED


def release_at(
    kind: NoticeKind,
    created_at: datetime,
    prefs: NoticePreferences,
    now: datetime,
    *,
    digest_hour: int,
    zone: tzinfo,
) -> datetime:
    """When a notice may go out, never before `now`: a digested one at its digest, and nothing
    during the person's quiet hours. It goes now when the answer is `now`."""
    at = now
    if in_digest(kind, prefs):
        at = max(now, digest_time(created_at, digest_hour, zone))
    return after_quiet_hours(at, prefs, zone)
