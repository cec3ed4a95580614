"""The notice sender: drains the outbox in small batches, at least once per notice.

A batch is claimed in one short transaction (leased, so another sender skips it and a crashed
one's rows come due again once the lease ends). Each notice then goes out on its channel's one
connection and is marked sent in its own transaction as soon as the server has accepted it:
the only window in which a notice can go out twice is a crash between that acceptance and that
commit, one message's worth at most. Refused for good (an SMTP 5xx, a webhook's 4xx): failed,
and the batch goes on. Failed for now: tried again after a doubling delay, until its attempts
run out. Nobody to write to, or nothing left to tell (the task is closed or moved on): skipped.

Channels: the step writes each notice once, as an e-mail row; with the chat gateway's webhook
configured, the sender adds the notice's webhook row for a person with a mobile number (one
row per channel, so each channel's delivery is recorded on its own, and a gateway that is down
holds no e-mail). A channel that is not configured skips its rows.

Per person (their preferences): a held notice is deferred, not tried: until the daily digest
for reminders and overdue notices, until the end of quiet hours for anything. When a person's
digest is due, every pending digest notice of theirs on that channel is claimed with it and
goes in one message, marked sent together. A decision is never stale: it stays taken."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import defaultdict
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime
from email.message import EmailMessage
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from appraisal_engine.domain.notices import (
    DIGESTED,
    Notice,
    NoticeChannel,
    NoticeKind,
    in_digest,
    release_at,
    retry_delay,
)
from appraisal_engine.domain.records import TaskRecord, TaskStatus
from appraisal_engine.notices.batch import Drained, Lookups, Outgoing, look_up
from appraisal_engine.notices.channel import Channel, Connection, DeliveryError
from appraisal_engine.notices.config import NoticeConfig
from appraisal_engine.notices.render import Renderer
from appraisal_engine.store.repositories import notices as outbox

log = logging.getLogger(__name__)

NO_ADDRESS = "NoAddress"
NO_CHANNEL = "NoChannel"
TASK_CLOSED = "TaskClosed"
_ASSIGNEE_KINDS = frozenset({NoticeKind.TASK_OPENED, NoticeKind.REMINDER})
_ENDED = frozenset({TaskStatus.DONE, TaskStatus.CANCELLED})
_DIGESTED = sorted(kind.value for kind in DIGESTED)


_Mark = Callable[[AsyncSession, str, str], Awaitable[None]]


def _utcnow() -> datetime:
    return datetime.now(UTC)


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
    """Drains the outbox through its channels (`channel` for e-mail, `webhook` for the chat
    gateway; either may be absent); `now` is injectable for tests."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        channel: Channel[EmailMessage] | None,
        config: NoticeConfig,
        renderer: Renderer,
        *,
        webhook: Channel[dict[str, Any]] | None = None,
        now: Callable[[], datetime] = _utcnow,
    ) -> None:
        self._sessions, self._config, self._renderer, self._now = sessions, config, renderer, now
        self._channels: dict[NoticeChannel, Channel[Any]] = {}
        if channel is not None:
            self._channels[NoticeChannel.EMAIL] = channel
        if webhook is not None:
            self._channels[NoticeChannel.WEBHOOK] = webhook
        self._zone = ZoneInfo(config.time_zone)

    async def drain_once(self) -> Drained:
        """Claim one batch of due notices and see each to an end, a later try, or the time
        its person's preferences let it go."""
        config, done, now = self._config, Drained(), self._now()
        async with self._sessions() as session, session.begin():
            batch = await outbox.claim_due(
                session, now, limit=config.batch_size, lease=config.lease
            )
        if not batch:
            return done
        found = await look_up(self._sessions, batch)
        await self._fork(batch, found, done)
        ready = await self._sort(batch, found, now, done)
        singles = [
            Outgoing([n], found.address(n) or "") for n in ready if not self._digested(n, found)
        ]
        digests = await self._gather(
            [n for n in ready if self._digested(n, found)], found, now, done
        )
        by_channel: dict[NoticeChannel, list[Outgoing]] = defaultdict(list)
        for item in [*singles, *digests]:
            by_channel[item.notices[0].channel].append(item)
        for channel, items in by_channel.items():
            await self._send_all(channel, items, done)
        return done

    def _digested(self, notice: Notice, found: Lookups) -> bool:
        return in_digest(notice.kind, found.preferences[notice.recipient_nip])

    async def _fork(self, batch: Sequence[Notice], found: Lookups, done: Drained) -> None:
        """Add the webhook row of each e-mail row whose person has a phone (once: the row's id
        is derived, and a row written already is kept as it is)."""
        if NoticeChannel.WEBHOOK not in self._channels:
            return
        copies = [
            n.on(NoticeChannel.WEBHOOK)
            for n in batch
            if n.channel is NoticeChannel.EMAIL
            and found.contacts.get(n.recipient_nip, (None, None))[1]
            and not _stale(n, found.task(n))
        ]
        if copies:
            async with self._sessions() as session, session.begin():
                await outbox.add_notices(session, copies)
            done.forked.extend(c.id for c in copies)

    async def _sort(
        self, notices: Sequence[Notice], found: Lookups, now: datetime, done: Drained
    ) -> list[Notice]:
        """Skip what has nobody or nothing to tell, hold what may not go yet; the rest."""
        ready: list[Notice] = []
        held: dict[datetime, list[str]] = defaultdict(list)
        for notice in notices:
            if _stale(notice, found.task(notice)):
                await self._skip(notice, TASK_CLOSED, done)
            elif notice.channel not in self._channels:
                await self._skip(notice, NO_CHANNEL, done)
            elif not found.address(notice):
                await self._skip(notice, NO_ADDRESS, done)
            else:
                at = release_at(
                    notice.kind,
                    notice.created_at,
                    found.preferences[notice.recipient_nip],
                    now,
                    digest_hour=self._config.digest_hour,
                    zone=self._zone,
                )
                if at > now:
                    held[at].append(notice.id)
                else:
                    ready.append(notice)
        for at, ids in held.items():
            async with self._sessions() as session, session.begin():
                await outbox.defer(session, ids, at)
            done.deferred.extend(ids)
            log.info("%d notices held until %s", len(ids), at.isoformat())
        return ready

    async def _gather(
        self, ready: Sequence[Notice], found: Lookups, now: datetime, done: Drained
    ) -> list[Outgoing]:
        """One digest per person and channel: the batch's ready digest notices with every
        other pending one of theirs that is due, however many batches those would fill."""
        groups: dict[tuple[str, NoticeChannel], dict[str, Notice]] = defaultdict(dict)
        for notice in ready:
            groups[notice.recipient_nip, notice.channel][notice.id] = notice
        digests: list[Outgoing] = []
        for (nip, channel), notices in groups.items():
            async with self._sessions() as session, session.begin():
                more = await outbox.claim_digest(
                    session, nip, channel.value, _DIGESTED, now, lease=self._config.lease
                )
            extra = [n for n in more if n.id not in notices]
            if extra:
                more_found = await look_up(self._sessions, extra)
                for notice in await self._sort(extra, more_found, now, done):
                    notices[notice.id] = notice
            members = sorted(notices.values(), key=lambda n: (n.created_at, n.id))
            digests.append(Outgoing(members, found.address(members[0]) or "", digest=True))
        return digests

    async def _send_all(
        self, channel: NoticeChannel, batch: Sequence[Outgoing], done: Drained
    ) -> None:
        try:
            async with self._channels[channel].open() as connection:
                for at, item in enumerate(batch):
                    if not await self._send(connection, item, done):
                        for rest in batch[at + 1 :]:  # the connection is gone: all wait
                            for notice in rest.notices:
                                await self._later(notice, "ConnectionLost", done)
                        return
        except DeliveryError as e:  # could not connect: the whole batch waits
            ended = {*done.sent, *done.failed, *done.retried}
            for item in batch:
                for notice in item.notices:
                    if notice.id not in ended:
                        await self._later(notice, e.reason, done)

    def _compose(self, item: Outgoing) -> EmailMessage | dict[str, Any]:
        if item.notices[0].channel is NoticeChannel.WEBHOOK:
            return self._renderer.chat(item.notices, item.address, digest=item.digest)
        return self._renderer.email(item.notices, item.address, digest=item.digest)

    async def _send(self, connection: Connection[Any], item: Outgoing, done: Drained) -> bool:
        """Deliver one message; False when the connection is lost."""
        ids = [n.id for n in item.notices]
        try:
            await connection.deliver(self._compose(item))
        except DeliveryError as e:
            if e.permanent:
                for notice in item.notices:
                    await self._finish(outbox.mark_failed, notice, e.reason)
                done.failed.extend(ids)
                log.warning("notice %s refused: %s", ", ".join(ids), e.reason)
            else:
                for notice in item.notices:
                    await self._later(notice, e.reason, done)
            return not e.connection
        # Accepted: record it at once, so a crash from here on resends this one at most.
        async with self._sessions() as session, session.begin():
            await outbox.mark_all_sent(session, ids, self._now())
        done.sent.extend(ids)
        done.messages += 1
        if item.digest:
            log.info("digest of %d notices sent, the first %s", len(ids), ids[0])
        else:
            log.info("notice %s sent", ids[0])
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
            if drained.claimed >= self._config.batch_size or drained.forked:
                continue  # more may be due
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), self._config.poll_seconds)
