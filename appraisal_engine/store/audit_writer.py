"""Append audit events in a committed transaction of their own or with the rest of a step's rows,
retrying when appenders collide."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence

from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from appraisal_engine.domain.records import AuditEvent
from appraisal_engine.store.repositories.audit import append_event, lock_chains

Write = Callable[[AsyncSession], Awaitable[None]]
"""More to write in the event's transaction (the notices of a decision): idempotent, as it runs
again on every retry."""


async def append_event_with_retry(
    session_factory: async_sessionmaker[AsyncSession],
    event: AuditEvent,
    *,
    attempts: int = 20,
    also: Write | None = None,
) -> int:
    """Append and commit the event, with `also` in the same transaction; retry when another
    appender took the same place in its chain first."""
    (seq,) = await commit_with_events(
        session_factory, [event], attempts=attempts, also=lambda _: also
    )
    return seq


async def commit_with_events(
    session_factory: async_sessionmaker[AsyncSession],
    events: Sequence[AuditEvent],
    *,
    first: Write | None = None,
    also: Callable[[AuditEvent], Write | None] = lambda _: None,
    attempts: int = 20,
) -> list[int]:
    """In one transaction, `first` (more rows of the same step), then each event appended to its
    chain with what `also` gives for it; the whole transaction is retried when another appender
    took the same place in a chain first. Returns the events' seqs; an event already stored
    keeps its own."""
    for attempt in range(1, attempts + 1):
        try:
            async with session_factory() as session, session.begin():
                if first is not None:
                    await first(session)
                seqs = []
                heads = await lock_chains(session, events)
                for event in events:
                    seqs.append(await append_event(session, event, heads))
                    if (more := also(event)) is not None:
                        await more(session)
                return seqs
        except IntegrityError:
            # Lost the race for the chain's next place: the retry reads the new last row (an
            # event already stored is skipped by its insert and keeps its seq).
            if attempt == attempts:
                raise
        except OperationalError as exc:
            # SQLite reports a writer that waited past the busy timeout as "locked".
            if attempt == attempts or "locked" not in str(exc.orig):
                raise
    raise AssertionError("unreachable")  # pragma: no cover
