"""Reminders, escalations and overdue notices: written to the outbox, which the notice sender
drains (appraisal_engine.notices)."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio import activity

from appraisal_engine.domain.notices import Notice, deadline_notices, missed_notice
from appraisal_engine.domain.records import Notification, NotificationKind, TaskRecord
from appraisal_engine.store.repositories.notices import add_notices, write_notices_first
from appraisal_engine.store.repositories.tasks import get_task, replaced_task
from appraisal_engine.workflows import io

log = logging.getLogger(__name__)


class Notifier(Protocol):
    """Observes each notice once it is in the outbox: a log line, a simulator's count."""

    async def send(self, note: Notification) -> None:
        """Take note of one notice."""


class LoggingNotifier:
    """Writes notices to the log, with NIPs and ids only; also keeps them for inspection."""

    def __init__(self) -> None:
        self.sent: list[Notification] = []

    async def send(self, note: Notification) -> None:
        """Log the notice."""
        self.sent.append(note)
        log.info(
            "%s for task %s (%s) to %s, due %s",
            note.kind.value,
            note.task_id,
            note.task_kind.value,
            ",".join(note.recipients),
            note.due_at.isoformat(),
        )


class NotifyActivities:
    """Writes each notice to the outbox, one row per recipient in one transaction, then tells
    the observer. The rows' ids come from the notice's cause, so a retried activity writes
    them once; delivery is the sender's, with its own retries, so a mail server that is away
    never holds a year."""

    def __init__(
        self, session_factory: async_sessionmaker[AsyncSession], observer: Notifier | None = None
    ) -> None:
        self._sessions = session_factory
        self._observer = observer or LoggingNotifier()

    @activity.defn(name=io.NOTIFY)
    async def notify(self, note: Notification) -> None:
        """Put one notice in the outbox; an escalation also tells the one who missed it."""
        now = datetime.now(UTC)
        async with self._sessions() as session, session.begin():
            told = deadline_notices(note, now)
            if note.kind is NotificationKind.ESCALATION:
                await write_notices_first(session, note.task_id)
                told += await _the_one_who_missed(session, note, now)
            await add_notices(session, told)
        await self._observer.send(note)


async def _the_one_who_missed(
    session: AsyncSession, note: Notification, now: datetime
) -> list[Notice]:
    """The notice to whoever held the task at its deadline. The workflow names the ones it
    escalates to, not them: the task is still theirs (others were told), or the superior took
    it over, and the one who missed it held the task it replaced. Both rows are written before
    the escalation's notice, so the inbox knows."""
    task: TaskRecord | None = await get_task(session, note.task_id)
    if task is not None and task.assignee_nip in note.recipients:
        task = await replaced_task(session, task)
    notice = None if task is None else missed_notice(task, note.recipients, now)
    return [] if notice is None else [notice]
