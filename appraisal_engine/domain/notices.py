"""Notices in the outbox: what is told to whom about which task, the idempotency key that makes a
retried step write it once, and how long a failed delivery waits before the next try. NIPs and
ids only: the address is looked up when the notice is sent."""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

from appraisal_engine.domain.model import Value
from appraisal_engine.domain.records import Notification, TaskRecord, TaskStatus
from appraisal_engine.domain.tasks import TaskKind


class NoticeKind(StrEnum):
    """Why someone is told about a task."""

    TASK_OPENED = "task_opened"
    REMINDER = "reminder"
    ESCALATION = "escalation"
    OVERDUE = "overdue"


class NoticeStatus(StrEnum):
    """Where a notice stands in the outbox."""

    PENDING = "pending"
    SENT = "sent"  # the mail server accepted it
    FAILED = "failed"  # refused for good, or out of attempts
    SKIPPED = "skipped"  # nobody to send it to (no address) or nothing left to tell (task closed)


class Notice(Value):
    """One outbox row: one notice to one person."""

    id: str
    recipient_nip: str
    kind: NoticeKind
    task_id: str
    task_kind: TaskKind
    appraisal_id: str
    due_at: datetime
    created_at: datetime
    status: NoticeStatus = NoticeStatus.PENDING
    attempts: int = 0
    next_attempt_at: datetime
    last_error: str | None = None  # an error class or an SMTP code: never an address
    sent_at: datetime | None = None
    read_at: datetime | None = None  # opened by the recipient in the web app


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
    """The notice announcing a task just opened; None for a closed task, and for one opened by
    an escalation, which the escalation notice announces."""
    if task.status is not TaskStatus.OPEN or task.escalated:
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


def retry_delay(attempts: int, base: timedelta, cap: timedelta) -> timedelta:
    """How long to wait after the `attempts`-th failed try: doubling from `base`, at most `cap`."""
    return min(base * (1 << min(max(attempts - 1, 0), 30)), cap)
