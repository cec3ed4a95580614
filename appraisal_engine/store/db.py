"""Engine and session factory: one engine per process, sessions per unit of work."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import event
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

SQLITE_BUSY_TIMEOUT_MS = 15_000

T = TypeVar("T")


def default_database_url() -> str:
    """The SQLite file used when no DATABASE_URL is configured."""
    return "sqlite+aiosqlite:///var/appraisal.db"


def make_engine(url: str, *, connections: int | None = None) -> AsyncEngine:
    """Create the async engine; SQLite gets WAL, foreign keys, a busy timeout, real BEGINs.

    `connections` caps a SQLite file's pool at that many connections, none opened beyond
    them: for one process that owns the file (a simulation), sessions then queue for a
    connection in turn, where many connections would contend for SQLite's one write lock by
    polling it."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_async_engine(url, pool_pre_ping=True)
    database = parsed.database or ""
    if database and database != ":memory:" and not database.startswith("file:"):
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    pool: dict[str, int] = {}
    if connections is not None:
        pool = {"pool_size": connections, "max_overflow": 0}
    engine = create_async_engine(url, **pool)
    event.listen(engine.sync_engine, "connect", _configure_sqlite)
    event.listen(engine.sync_engine, "begin", _begin_sqlite)
    return engine


def make_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions that keep loaded values after commit (results are copied into records anyway)."""
    return async_sessionmaker(engine, expire_on_commit=False)


def _configure_sqlite(dbapi_connection: Any, _record: Any) -> None:
    # The sqlite3 driver's legacy mode skips BEGIN before SELECT and SAVEPOINT, which breaks
    # repeatable reads and nested transactions; SQLAlchemy emits BEGIN itself instead.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        # WAL lets readers run alongside the single writer; the busy timeout makes writers
        # queue for the lock instead of failing at once.
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA synchronous=NORMAL")
    finally:
        cursor.close()


WRITER = {"sqlite_begin_immediate": True}
"""Execution options for a transaction that reads, then writes: on SQLite it takes the write
lock at BEGIN, waiting out the busy timeout for it. A deferred transaction that read before
another connection committed cannot take the lock later, and fails at once with "database is
locked" whatever the timeout. Other databases ignore the option."""


def _begin_sqlite(connection: Connection) -> None:
    immediate = connection.get_execution_options().get("sqlite_begin_immediate")
    connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


async def finish_before_cancel(write: Awaitable[T]) -> T:
    """Await a write to its end, then let a cancellation that came meanwhile take effect.

    A task cancelled while its statement runs on SQLite can leave the database's write lock
    held by a connection nobody uses again, so that every later writer waits out its busy
    timeout and fails: a write once begun is never cut. The write's own error, if it fails,
    is raised in place of the cancellation."""
    task = asyncio.ensure_future(write)
    cancelled = False
    while True:
        try:
            result = await asyncio.shield(task)
        except asyncio.CancelledError:
            if task.done():  # the write itself was cancelled, not the one awaiting it
                raise
            cancelled = True
            continue
        if cancelled:
            raise asyncio.CancelledError
        return result
