"""Fault-test fixtures: a file-backed dev server and a worker process of their own per test,
on a fresh read-model database, every process stopped at the end whatever happened."""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine
from temporalio.client import Client, WorkflowHandle

from appraisal_engine.client.starters import launch_cycle
from appraisal_engine.domain.employee import Employee
from appraisal_engine.store.db import make_engine, make_session_factory
from appraisal_engine.store.migrate import upgrade
from appraisal_engine.workflows.ids import cycle_id
from tests.faults.checks import store_roster
from tests.faults.stack import DevServer, WorkerProcess
from tests.workflows.cycle_driver import POLICY


@dataclass
class Stack:
    """The processes of one fault test and the means to look at what they did."""

    server: DevServer
    worker: WorkerProcess
    client: Client
    sessions: async_sessionmaker[AsyncSession]
    task_queue: str

    async def launch(
        self, employees: list[Employee], *, year: int, **options: Any
    ) -> tuple[WorkflowHandle[Any, Any], str]:
        """Store the roster for a fresh organisation and launch its cycle on the stack's queue
        under the cycle tests' policy: the cycle's handle and id."""
        org = f"kota-{uuid.uuid4().hex[:6]}"
        roster_id = await store_roster(self.sessions, org, employees)
        cycle = await launch_cycle(
            self.client,
            org=org,
            year=year,
            roster_id=roster_id,
            policy=POLICY,
            task_queue=self.task_queue,
            **options,
        )
        return cycle, cycle_id(org, year)


@pytest.fixture
async def read_model_url(tmp_path: Path) -> AsyncIterator[str]:
    """A fresh, migrated read model for one test: a database of its own on DATABASE_URL's
    PostgreSQL server when that is set (and lets us create one), else a SQLite file.

    Not the run's shared database: a worker process writes it, and the audit chain verified
    at the end must hold this test's events only."""
    async with contextlib.AsyncExitStack() as cleanup:
        configured = os.environ.get("DATABASE_URL", "")
        url = await cleanup.enter_async_context(own_postgres_database(configured))
        url = url or f"sqlite+aiosqlite:///{tmp_path / 'read-model.db'}"
        await upgrade(url)
        yield url


@contextlib.asynccontextmanager
async def own_postgres_database(configured: str) -> AsyncIterator[str | None]:
    """A database of its own on `configured`'s PostgreSQL server, dropped at the end; None when
    `configured` is not PostgreSQL or the server cannot be reached or lets us create none."""
    if not configured.startswith("postgresql"):
        yield None
        return
    server = make_url(configured)
    name = f"faults_{uuid.uuid4().hex[:12]}"
    admin = create_async_engine(server, isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as connection:
            await connection.execute(text(f'CREATE DATABASE "{name}"'))
    except (DBAPIError, OSError):  # unreachable, or no right to create databases
        await admin.dispose()
        yield None
        return
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        async with admin.connect() as connection:
            await connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        await admin.dispose()


@pytest.fixture
async def stack(tmp_path: Path, read_model_url: str) -> AsyncIterator[Stack]:
    """A dev server on a SQLite file, a worker process, and the test's own read model."""
    async with open_stack(tmp_path, read_model_url) as opened:
        yield opened


@contextlib.asynccontextmanager
async def open_stack(
    tmp_path: Path, read_model_url: str, *, worker_database_url: str | None = None
) -> AsyncIterator[Stack]:
    """The processes of a fault test; the worker reaches the read model at
    `worker_database_url` when given (through a proxy, say), the test at `read_model_url`."""
    server = DevServer(tmp_path / "temporal.db", tmp_path / "server.log")
    queue = f"faults-{uuid.uuid4().hex[:8]}"
    worker = WorkerProcess(
        server.address, worker_database_url or read_model_url, queue, tmp_path, cwd=tmp_path
    )
    engine = make_engine(read_model_url)
    async with contextlib.AsyncExitStack() as cleanup:
        cleanup.push_async_callback(engine.dispose)
        cleanup.push_async_callback(server.stop)
        await server.start()
        client = await server.client()
        cleanup.push_async_callback(worker.stop)  # runs first: the worker before its server
        await worker.start(client)
        yield Stack(server, worker, client, make_session_factory(engine), queue)
