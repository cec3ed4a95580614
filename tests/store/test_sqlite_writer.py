"""On SQLite, a transaction that reads and then writes takes the write lock at BEGIN when it is
opened as a WRITER: another connection's commit between its read and its write then waits for
it, where a deferred transaction fails at once with "database is locked" whatever the busy
timeout. Importing a roster (which reads whether it exists first), from the command line or
uploaded through the API and the web app, is such a transaction."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlalchemy import event, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from appraisal_engine.api.auth import Principal
from appraisal_engine.api.roles import Role
from appraisal_engine.appraisal.rosters import import_roster
from appraisal_engine.domain.roster import Roster
from appraisal_engine.services.rosters import upload
from appraisal_engine.simulator.roster import generate_roster
from appraisal_engine.store.db import WRITER, make_engine, make_session_factory
from appraisal_engine.store.migrate import upgrade


async def read_then_write(url: str, options: dict[str, bool]) -> None:
    """Read, let another connection commit a write, then write."""
    engine = make_engine(url)
    sessions = make_session_factory(engine)
    try:
        async with sessions() as mine, mine.begin():
            await mine.connection(execution_options=options)
            await mine.execute(text("SELECT count(*) FROM t"))
            other = asyncio.create_task(write_elsewhere(sessions))
            await asyncio.sleep(0.3)  # the other commits now, or waits for this one's lock
            await mine.execute(text("INSERT INTO t VALUES (1)"))
        await other
    finally:
        await engine.dispose()


async def write_elsewhere(sessions: async_sessionmaker[AsyncSession]) -> None:
    async with sessions() as other, other.begin():
        await other.execute(text("INSERT INTO t VALUES (2)"))


@pytest.fixture
async def url(tmp_path: Path) -> str:
    url = f"sqlite+aiosqlite:///{tmp_path / 'writer.db'}"
    engine = make_engine(url)
    async with engine.begin() as connection:
        await connection.execute(text("CREATE TABLE t (v INTEGER)"))
    await engine.dispose()
    return url


async def test_a_deferred_read_then_write_fails_when_another_commits_between(url: str) -> None:
    with pytest.raises(OperationalError, match="database is locked"):
        await read_then_write(url, {})


async def test_a_writer_takes_the_lock_first_and_the_other_waits(url: str) -> None:
    await read_then_write(url, WRITER)
    engine = make_engine(url)
    async with engine.connect() as connection:
        rows = (await connection.execute(text("SELECT v FROM t ORDER BY v"))).scalars().all()
    await engine.dispose()
    assert rows == [1, 2]


@pytest.mark.parametrize("path", ["command line", "upload"])
async def test_importing_a_roster_opens_a_writer(tmp_path: Path, path: str) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'roster.db'}"
    await upgrade(url)
    engine = make_engine(url)
    began: list[str] = []
    event.listen(
        engine.sync_engine,
        "before_cursor_execute",
        lambda _c, _cur, statement, *_: began.append(statement) if "BEGIN" in statement else None,
    )
    try:
        roster = Roster(employees=generate_roster(8, units=2, seed=1))
        sessions = make_session_factory(engine)
        if path == "command line":
            await import_roster(sessions, "kota-uji", roster)
        else:
            data = Path(__file__).parent.parent.parent / "examples" / "roster.csv"
            hr = Principal(nip="197001012000011001", roles=frozenset({Role.HR}))
            async with sessions() as session:
                await upload(session, hr, "kota-uji", data.read_bytes(), is_json=False)
                await session.commit()
    finally:
        await engine.dispose()
    assert began == ["BEGIN IMMEDIATE"]
