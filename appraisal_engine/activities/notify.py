"""Reminders, escalations and overdue notices."""

from __future__ import annotations

import logging
from typing import Protocol

from temporalio import activity

from appraisal_engine.domain.records import Notification
from appraisal_engine.workflows import io

log = logging.getLogger(__name__)


class Notifier(Protocol):
    """Delivers a notice (e-mail, chat, SMS...); deployments plug in their own."""

    async def send(self, note: Notification) -> None:
        """Deliver one notice to its recipients."""


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
    """Hands notices to the configured notifier."""

    def __init__(self, notifier: Notifier) -> None:
        self._notifier = notifier

    @activity.defn(name=io.NOTIFY)
    async def notify(self, note: Notification) -> None:
        """Send one notice."""
        await self._notifier.send(note)
