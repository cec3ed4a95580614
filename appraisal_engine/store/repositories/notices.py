"""The notice outbox: rows written once per cause, claimed by senders, marked as they end."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, Select, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from appraisal_engine.domain.notices import Notice, NoticeStatus
from appraisal_engine.store.locks import hold_write_lock
from appraisal_engine.store.models import NoticeRow
from appraisal_engine.store.repositories._rows import insert_missing, row_values, table_of

_notices = table_of(NoticeRow)
_PENDING = NoticeStatus.PENDING.value


async def add_notices(session: AsyncSession, notices: Sequence[Notice]) -> None:
    """Write the notices whose id is not taken yet (INSERT .. ON CONFLICT DO NOTHING): a retried
    or replayed step writes nothing twice, and a notice already sent stays sent."""
    if notices:
        await insert_missing(session, _notices, [row_values(n) for n in notices])


async def write_notices_first(session: AsyncSession, cause: str) -> None:
    """Take the outbox's write lock before a transaction reads what its notices depend on. On
    SQLite a transaction that reads and then writes fails at once with "database is locked"
    if another write committed in between (its snapshot is stale, and the busy timeout does not
    apply); taking the lock first makes it wait its turn instead. On PostgreSQL it serialises
    only the transactions writing notices of the same `cause`."""
    await hold_write_lock(session, f"notices:{cause}", _notices)


async def claim_due(
    session: AsyncSession, now: datetime, *, limit: int, lease: timedelta
) -> list[Notice]:
    """Take up to `limit` pending notices due by `now`, oldest first, for this sender.

    Each is leased: its next attempt moves to `now + lease` and its attempts go up by one, so
    another sender skips it and, should this one crash, it is due again once the lease ends.
    On PostgreSQL the rows are locked with SKIP LOCKED, so two senders claiming at once take
    different rows; SQLite has one writer at a time, so the claim is atomic there anyway."""
    due = (
        select(_notices.c.id)
        .where(_notices.c.status == _PENDING, _notices.c.next_attempt_at <= now)
        .order_by(_notices.c.next_attempt_at, _notices.c.id)
        .limit(limit)
    )
    return await _lease(session, due, now, lease)


async def _lease(
    session: AsyncSession, due: Select[tuple[str]], now: datetime, lease: timedelta
) -> list[Notice]:
    """Lease the pending notices `due` selects (their ids): attempts up by one, the next attempt
    at `now + lease`; the claimed notices, oldest first."""
    if session.get_bind().dialect.name == "postgresql":
        # Materialised: as a plain IN (subquery) the planner may run it more than once, and
        # the LIMIT then bounds each run, not the claim.
        picked = due.with_for_update(skip_locked=True).cte("due").prefix_with("MATERIALIZED")
    else:
        picked = due.cte("due")
    # One statement that writes first: on SQLite it takes the write lock before it reads, so
    # a second sender waits for the first to commit (busy timeout) and then sees its lease,
    # instead of failing to upgrade a read it began earlier.
    rows = await session.execute(
        update(_notices)
        .where(_notices.c.id.in_(select(picked.c.id)), _notices.c.status == _PENDING)
        .values(attempts=_notices.c.attempts + 1, next_attempt_at=now + lease)
        .returning(*_notices.c)
    )
    claimed = [Notice.model_validate(dict(row._mapping)) for row in rows]
    return sorted(claimed, key=lambda n: (n.created_at, n.id))


async def _finish(session: AsyncSession, notice_id: str, **values: object) -> None:
    # Only a pending row changes: a notice marked already is never moved back or over.
    await session.execute(
        update(_notices)
        .where(_notices.c.id == notice_id, _notices.c.status == _PENDING)
        .values(**values)
    )


async def mark_sent(session: AsyncSession, notice_id: str, at: datetime) -> None:
    """The server accepted the notice."""
    await _finish(session, notice_id, status=NoticeStatus.SENT.value, sent_at=at, last_error=None)


async def mark_failed(session: AsyncSession, notice_id: str, error: str) -> None:
    """Refused for good, or out of attempts; `error` is a class name or an SMTP code."""
    await _finish(session, notice_id, status=NoticeStatus.FAILED.value, last_error=error)


async def mark_skipped(session: AsyncSession, notice_id: str, reason: str) -> None:
    """Nothing to send: no address, or the task is no longer the recipient's to do."""
    await _finish(session, notice_id, status=NoticeStatus.SKIPPED.value, last_error=reason)


async def retry_at(session: AsyncSession, notice_id: str, at: datetime, error: str) -> None:
    """A try failed for now: try again at `at`."""
    await _finish(session, notice_id, next_attempt_at=at, last_error=error)


async def get_notice(session: AsyncSession, notice_id: str) -> Notice | None:
    """One notice by id."""
    row = (await session.execute(select(_notices).where(_notices.c.id == notice_id))).first()
    return None if row is None else Notice.model_validate(dict(row._mapping))


async def list_notices(
    session: AsyncSession,
    *,
    recipient_nip: str | None = None,
    task_id: str | None = None,
    status: NoticeStatus | None = None,
) -> list[Notice]:
    """Notices matching every given filter, oldest first."""
    query = select(_notices)
    if recipient_nip is not None:
        query = query.where(_notices.c.recipient_nip == recipient_nip)
    if task_id is not None:
        query = query.where(_notices.c.task_id == task_id)
    if status is not None:
        query = query.where(_notices.c.status == status.value)
    rows = await session.execute(query.order_by(_notices.c.created_at, _notices.c.id))
    return [Notice.model_validate(dict(row._mapping)) for row in rows]


async def defer(session: AsyncSession, notice_ids: Sequence[str], at: datetime) -> None:
    """Hold claimed notices until `at` (a digest, the end of quiet hours): not a try, so the
    attempt the claim counted is given back."""
    if notice_ids:
        await session.execute(
            update(_notices)
            .where(_notices.c.id.in_(notice_ids), _notices.c.status == _PENDING)
            .values(next_attempt_at=at, attempts=_notices.c.attempts - 1)
        )


async def claim_digest(
    session: AsyncSession,
    recipient_nip: str,
    channel: str,
    kinds: Collection[str],
    now: datetime,
    *,
    lease: timedelta,
) -> list[Notice]:
    """Take every pending notice of `kinds` due by `now` for one person on one channel, as a
    claim does (leased, attempts up by one): a digest gathers all of them, however many
    batches they would fill."""
    due = select(_notices.c.id).where(
        _notices.c.recipient_nip == recipient_nip,
        _notices.c.channel == channel,
        _notices.c.kind.in_(kinds),
        _notices.c.status == _PENDING,
        _notices.c.next_attempt_at <= now,
    )
    return await _lease(session, due, now, lease)


async def mark_all_sent(session: AsyncSession, notice_ids: Sequence[str], at: datetime) -> None:
    """The server accepted one message carrying all of these notices (a digest)."""
    if notice_ids:
        await session.execute(
            update(_notices)
            .where(_notices.c.id.in_(notice_ids), _notices.c.status == _PENDING)
            .values(status=NoticeStatus.SENT.value, sent_at=at, last_error=None)
        )


def _unread_of(recipient_nip: str) -> list[ColumnElement[bool]]:
    # Written as the partial index's own condition, so both databases answer from it.
    return [_notices.c.recipient_nip == recipient_nip, _notices.c.read_at.is_(None)]


async def count_unread(session: AsyncSession, recipient_nip: str) -> int:
    """How many of the person's notices they have not opened yet."""
    query = select(func.count()).select_from(_notices).where(*_unread_of(recipient_nip))
    return int((await session.execute(query)).scalar_one())


async def page_of(
    session: AsyncSession, recipient_nip: str, *, offset: int, limit: int
) -> list[Notice]:
    """The person's notices, newest first, from `offset`."""
    rows = await session.execute(
        select(_notices)
        .where(_notices.c.recipient_nip == recipient_nip)
        .order_by(_notices.c.created_at.desc(), _notices.c.id.desc())
        .offset(offset)
        .limit(limit)
    )
    return [Notice.model_validate(dict(row._mapping)) for row in rows]


async def mark_read(
    session: AsyncSession, notice_id: str, recipient_nip: str, at: datetime
) -> None:
    """The recipient opened the notice; a notice read already keeps its first reading."""
    await session.execute(
        update(_notices)
        .where(_notices.c.id == notice_id, *_unread_of(recipient_nip))
        .values(read_at=at)
    )


async def mark_all_read(
    session: AsyncSession, recipient_nip: str, at: datetime, *, created_by: datetime
) -> None:
    """Every notice of the person written by `created_by` is read (one written since the
    person looked stays unread)."""
    await session.execute(
        update(_notices)
        .where(*_unread_of(recipient_nip), _notices.c.created_at <= created_by)
        .values(read_at=at)
    )
