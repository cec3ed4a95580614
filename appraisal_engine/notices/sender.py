"""The notice sender: drains the outbox in small batches, at least once per notice.

A batch is claimed in one short transaction (leased, so another sender skips it and a crashed
one's rows come due again once the lease ends). Each notice then goes out on one connection and
is marked sent in its own transaction as soon as the server has accepted it: the only window in
which a notice can go out twice is a crash between that acceptance and that commit, one
message's worth at most. Refused for good (a 5xx for the message): failed, and the batch goes
on. Failed for now: tried again after a doubling delay, until its attempts run out. Nobody to
write to, or nothing left to tell (the task is closed or moved on): skipped. A decision is
never stale: it stays taken."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from appraisal_engine.domain.notices import Notice, NoticeKind, retry_delay
from appraisal_engine.domain.records import TaskRecord, TaskStatus
from appraisal_engine.notices.config import NoticeConfig
from appraisal_engine.notices.render import Renderer
from appraisal_engine.notices.smtp import Channel, Connection, DeliveryError
from appraisal_engine.store.repositories import notices as outbox
from appraisal_engine.store.repositories.rosters import emails_by_nip
from appraisal_engine.store.repositories.tasks import get_task

log = logging.getLogger(__name__)

NO_ADDRESS = "NoAddress"
TASK_CLOSED = "TaskClosed"
_ASSIGNEE_KINDS = frozenset({NoticeKind.TASK_OPENED, NoticeKind.REMINDER})
_ENDED = frozenset({TaskStatus.DONE, TaskStatus.CANCELLED})


_Mark = Callable[[AsyncSession, str, str], Awaitable[None]]


def _utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass
class Drained:
    """What one batch did, by notice id."""

    sent: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    retried: list[str] = field(default_factory=list)

    @property
    def claimed(self) -> int:
        """How many notices the batch took."""
        return len(self.sent) + len(self.failed) + len(self.skipped) + len(self.retried)


def _stale(notice: Notice, task: TaskRecord | None) -> bool:
    """Nothing left to tell: the task is closed, or a task-opened notice or reminder is no
    longer its recipient's to do (reassigned; or written by a workflow task the server then
    refused, whose replay opened the task for someone else). A missed deadline stays missed
    though its task moved to the superior, unless it was answered late or cancelled."""
    if notice.kind is NoticeKind.DECISION:
        return False
    if task is None:
        return True
    if notice.kind is NoticeKind.MISSED:
        return task.status in _ENDED
    if task.status is not TaskStatus.OPEN:
        return True
    return notice.kind in _ASSIGNEE_KINDS and task.assignee_nip != notice.recipient_nip


class NoticeSender:
    """Drains the outbox through a channel; `now` is injectable for tests."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        channel: Channel,
        config: NoticeConfig,
        renderer: Renderer,
        *,
        now: Callable[[], datetime] = _utcnow,
    ) -> None:
        self._sessions, self._channel, self._config = sessions, channel, config
        self._renderer, self._now = renderer, now

    async def drain_once(self) -> Drained:
        """Claim one batch of due notices and see each to an end or a later try."""
        config, done = self._config, Drained()
        async with self._sessions() as session, session.begin():
            batch = await outbox.claim_due(
                session, self._now(), limit=config.batch_size, lease=config.lease
            )
        if not batch:
            return done
        async with self._sessions() as session:
            addresses = await emails_by_nip(session, {n.recipient_nip for n in batch})
            task_ids = {n.task_id for n in batch if n.task_id is not None}
            tasks = {task_id: await get_task(session, task_id) for task_id in task_ids}
        to_send: list[tuple[Notice, str]] = []
        for notice in batch:
            address = addresses.get(notice.recipient_nip)
            task = None if notice.task_id is None else tasks[notice.task_id]
            if _stale(notice, task):
                await self._skip(notice, TASK_CLOSED, done)
            elif not address:
                await self._skip(notice, NO_ADDRESS, done)
            else:
                to_send.append((notice, address))
        if to_send:
            await self._send_all(to_send, done)
        return done

    async def _send_all(self, batch: Sequence[tuple[Notice, str]], done: Drained) -> None:
        try:
            async with self._channel.open() as connection:
                for at, (notice, address) in enumerate(batch):
                    if not await self._send(connection, notice, address, done):
                        for rest, _ in batch[at + 1 :]:  # the connection is gone: all wait
                            await self._later(rest, "ConnectionLost", done)
                        return
        except DeliveryError as e:  # could not connect: the whole batch waits
            ended = {*done.sent, *done.failed, *done.retried}
            for notice, _ in batch:
                if notice.id not in ended:
                    await self._later(notice, e.reason, done)

    async def _send(
        self, connection: Connection, notice: Notice, address: str, done: Drained
    ) -> bool:
        """Deliver one notice; False when the connection is lost."""
        try:
            await connection.deliver(self._renderer.message(notice, address))
        except DeliveryError as e:
            if e.permanent:
                await self._finish(outbox.mark_failed, notice, e.reason)
                done.failed.append(notice.id)
                log.warning("notice %s refused: %s", notice.id, e.reason)
            else:
                await self._later(notice, e.reason, done)
            return not e.connection
        # Accepted: record it at once, so a crash from here on resends this one at most.
        async with self._sessions() as session, session.begin():
            await outbox.mark_sent(session, notice.id, self._now())
        done.sent.append(notice.id)
        log.info("notice %s sent", notice.id)
        return True

    async def _finish(self, mark: _Mark, notice: Notice, reason: str) -> None:
        async with self._sessions() as session, session.begin():
            await mark(session, notice.id, reason)

    async def _skip(self, notice: Notice, reason: str, done: Drained) -> None:
        await self._finish(outbox.mark_skipped, notice, reason)
        done.skipped.append(notice.id)
        log.info("notice %s skipped: %s", notice.id, reason)

    async def _later(self, notice: Notice, reason: str, done: Drained) -> None:
        """Try again after a doubling delay; failed once the attempts run out."""
        config = self._config
        if notice.attempts >= config.max_attempts:
            await self._finish(outbox.mark_failed, notice, reason)
            done.failed.append(notice.id)
            log.warning("notice %s failed, attempts spent: %s", notice.id, reason)
            return
        at = self._now() + retry_delay(notice.attempts, config.retry_base, config.retry_cap)
        async with self._sessions() as session, session.begin():
            await outbox.retry_at(session, notice.id, at, reason)
        done.retried.append(notice.id)
        log.info("notice %s not sent (%s): next try at %s", notice.id, reason, at.isoformat())

    async def run(self, stop: asyncio.Event) -> None:
        """Drain until `stop` is set: batch after batch while notices are due, then a pause.
        A database that is away is waited for; the loop never ends on an error."""
        while not stop.is_set():
            try:
                drained = await self.drain_once()
            except Exception as e:  # the database away, say: wait and try again
                log.warning("notice sender: %s; trying again shortly", type(e).__name__)
                drained = Drained()
            if drained.claimed >= self._config.batch_size:
                continue  # more may be due
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), self._config.poll_seconds)
