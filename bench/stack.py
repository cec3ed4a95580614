"""What every benchmark stands on: a fresh file-backed dev server, and a free local port."""

from __future__ import annotations

import socket
import tempfile
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from sqlalchemy import make_url, text
from sqlalchemy.ext.asyncio import create_async_engine
from temporalio.testing import WorkflowEnvironment

from appraisal_engine.appraisal.servers import start_dev_server


def free_port() -> int:
    """A port nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@asynccontextmanager
async def file_backed_server(
    extra_args: list[str] | None = None,
) -> AsyncIterator[tuple[WorkflowEnvironment, Path]]:
    """A dev server on a state file in a new temporary directory, and that directory (for a
    read model beside it); the server is shut down and the directory removed on leaving."""
    with tempfile.TemporaryDirectory() as tmp:
        env = await start_dev_server(db_file=str(Path(tmp) / "temporal.db"), extra_args=extra_args)
        try:
            yield env, Path(tmp)
        finally:
            await env.shutdown()


async def _admin(server: str, statement: str) -> None:
    """Run one statement outside a transaction on `server` (CREATE or DROP DATABASE)."""
    admin = create_async_engine(server, isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as connection:
            await connection.execute(text(statement))
    finally:
        await admin.dispose()


@asynccontextmanager
async def scratch_database(server: str | None, directory: str) -> AsyncIterator[str]:
    """A read model's URL for one run: a SQLite file in `directory` without `server`, else a new
    database on that PostgreSQL server, dropped on leaving."""
    if server is None:
        yield f"sqlite+aiosqlite:///{directory}/bench.db"
        return
    url = make_url(server)
    if not url.drivername.startswith("postgresql"):
        raise ValueError("--database-server takes a PostgreSQL URL")
    name = f"bench_{uuid.uuid4().hex[:10]}"
    await _admin(server, f'CREATE DATABASE "{name}"')
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        await _admin(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
