"""Engine setup: SQLite pragmas and real transactions, timezone-aware timestamps, foreign keys."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import insert, select, text
from sqlalchemy.exc import IntegrityError, StatementError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from appraisal_engine.store.db import (
    default_database_url,
    finish_before_cancel,
    make_engine,
    make_session_factory,
)
from appraisal_engine.store.migrate import upgrade
from appraisal_engine.store.models import EmployeeRow, RosterRow
from appraisal_engine.store.repositories.rosters import add_roster, get_roster
from tests.store.builders import WIB


def test_default_url_is_the_sqlite_file_under_var() -> None:
    assert default_database_url() == "sqlite+aiosqlite:///var/appraisal.db"


async def test_sqlite_engine_creates_the_directory_and_sets_pragmas(tmp_path: Path) -> None:
    path = tmp_path / "nested" / "deeper" / "app.db"
    engine = make_engine(f"sqlite+aiosqlite:///{path}")
    try:
        async with engine.connect() as connection:
            journal = await connection.scalar(text("PRAGMA journal_mode"))
            foreign_keys = await connection.scalar(text("PRAGMA foreign_keys"))
            busy = await connection.scalar(text("PRAGMA busy_timeout"))
        assert path.exists()
        assert (journal, foreign_keys, busy) == ("wal", 1, 15000)
    finally:
        await engine.dispose()


async def test_sqlite_savepoints_nest_inside_the_outer_transaction(tmp_path: Path) -> None:
    # The rolled-back test session relies on this: a released savepoint must not commit.
    url = f"sqlite+aiosqlite:///{tmp_path / 'tx.db'}"
    await upgrade(url)
    engine = make_engine(url)
    row = {"id": "r1", "org": "kota", "created_at": datetime.now(UTC), "employee_count": 0}
    try:
        async with engine.connect() as connection:
            outer = await connection.begin()
            async with connection.begin_nested():
                await connection.execute(insert(RosterRow).values(**row, checksum="x"))
            await outer.rollback()
        async with engine.connect() as connection:
            assert await connection.scalar(select(RosterRow.id)) is None
    finally:
        await engine.dispose()


async def test_timestamps_read_back_as_aware_utc(session: AsyncSession) -> None:
    created = datetime(2025, 1, 6, 8, 30, 15, 250000, tzinfo=WIB)
    await add_roster(session, "roster-tz", "kota", [], "sum", created_at=created)
    summary = await get_roster(session, "roster-tz")
    assert summary is not None
    assert summary.created_at == created
    assert summary.created_at.tzinfo is UTC
    assert summary.created_at.hour == 1  # 08:30 WIB is 01:30 UTC


async def test_naive_timestamps_are_refused(session: AsyncSession) -> None:
    with pytest.raises(StatementError, match="naive datetime"):
        await add_roster(
            session, "roster-naive", "kota", [], "sum", created_at=datetime(2025, 1, 6)
        )


async def test_foreign_keys_are_enforced(session: AsyncSession) -> None:
    orphan = {
        "roster_id": "no-such-roster",
        "nip": "198503122010011001",
        "name": "Siti",
        "unit_code": "DISDIK",
        "unit_name": "Dinas Pendidikan",
        "position": "Analis",
        "position_level": "pelaksana",
        "acting": False,
    }
    with pytest.raises(IntegrityError):
        async with session.begin_nested():
            await session.execute(insert(EmployeeRow).values(**orphan))


async def test_session_factory_keeps_values_after_commit(engine: AsyncEngine) -> None:
    factory = make_session_factory(engine)
    assert factory.kw["expire_on_commit"] is False


# About a third of a second of SQLite's own work in one statement: long enough to be cancelled
# while it runs.
SLOW_COUNT = (
    "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 1500000) "
    "SELECT count(*) FROM c"
)


async def test_a_sqlite_write_cancelled_mid_statement_commits_and_leaves_the_database_free(
    tmp_path: Path,
) -> None:
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'cut.db'}")
    try:
        async with engine.begin() as connection:
            await connection.execute(text("CREATE TABLE t (id TEXT PRIMARY KEY)"))
        statement_running = asyncio.Event()

        async def write() -> None:
            async with engine.begin() as connection:
                await connection.execute(text("INSERT INTO t VALUES ('before-the-cut')"))
                statement_running.set()
                await connection.execute(text(SLOW_COUNT))
                await connection.execute(text("INSERT INTO t VALUES ('after-the-cut')"))

        writing = asyncio.ensure_future(finish_before_cancel(write()))
        await statement_running.wait()
        await asyncio.sleep(0.05)  # inside the slow statement
        writing.cancel()
        with pytest.raises(asyncio.CancelledError):
            await writing
        # The write went on to its commit, and a writer of its own connection, told not to wait
        # for the lock, finds it free ("database is locked" otherwise).
        other = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'cut.db'}")
        try:
            async with other.connect() as connection:
                await connection.execute(text("PRAGMA busy_timeout=0"))
                await connection.commit()
                async with connection.begin():
                    await connection.execute(text("INSERT INTO t VALUES ('next')"))
                    ids = set(await connection.scalars(text("SELECT id FROM t")))
        finally:
            await other.dispose()
        assert ids == {"before-the-cut", "after-the-cut", "next"}
    finally:
        await engine.dispose()


async def test_a_write_that_fails_after_a_cancellation_raises_its_own_error() -> None:
    async def failing() -> None:
        await asyncio.sleep(0.05)
        raise RuntimeError("the database refused")

    writing = asyncio.ensure_future(finish_before_cancel(failing()))
    await asyncio.sleep(0.01)
    writing.cancel()
    with pytest.raises(RuntimeError, match="refused"):
        await writing


async def test_a_write_not_cancelled_returns_its_result() -> None:
    async def answer() -> int:
        await asyncio.sleep(0)
        return 42

    assert await finish_before_cancel(answer()) == 42
