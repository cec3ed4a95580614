"""Reminders, escalations and overdue notices: written to the outbox, which the notice sender
drains (appraisal_engine.notices)."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio import activity

from appraisal_engine.domain.notices import deadline_notices
from appraisal_engine.domain.records import Notification
from appraisal_engine.store.repositories.notices import add_notices
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
        """Put one notice in the outbox."""
        async with self._sessions() as session, session.begin():
            await add_notices(session, deadline_notices(note, datetime.now(UTC)))
        await self._observer.send(note)
