"""Engine setup: SQLite pragmas and real transactions, timezone-aware timestamps, foreign keys."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import insert, select, text
from sqlalchemy.exc import IntegrityError, StatementError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from appraisal_engine.store.db import default_database_url, make_engine, make_session_factory
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
