"""What every benchmark stands on: a fresh file-backed dev server, a free local port, a scratch
database for the read model, the CPU time of the processes taking part, and a stored roster of
a generated city with the policy it launches under."""

from __future__ import annotations

import os
import socket
import tempfile
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import make_url, text
from sqlalchemy.ext.asyncio import create_async_engine
from temporalio.testing import WorkflowEnvironment

from appraisal_engine.appraisal.servers import start_dev_server
from appraisal_engine.domain.employee import Employee
from appraisal_engine.domain.presets import NATIONAL
from appraisal_engine.simulator.roster import generate_roster
from appraisal_engine.simulator.scripted import APPEALS_OFFICER, REGIONAL_HEAD
from appraisal_engine.store.repositories.rosters import add_roster

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

BENCH_POLICY = NATIONAL.model_copy(
    update={"regional_head_nip": REGIONAL_HEAD, "appeals_officer_nip": APPEALS_OFFICER}
)
"""The national preset with a regional head and an appeals officer, so a bench city launches."""


async def store_roster(
    sessions: async_sessionmaker[AsyncSession], n: int
) -> tuple[str, list[Employee]]:
    """A generated roster of n employees (seeded by n) stored under a new id; the id and people."""
    roster_id = f"bench-{n}-{uuid.uuid4().hex[:6]}"
    employees = generate_roster(n, seed=n)
    async with sessions() as session, session.begin():
        await add_roster(session, roster_id, "kota-bench", employees, checksum=roster_id)
    return roster_id, employees


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


def cpu_seconds(pid: int) -> float:
    """The user and system CPU time a process (every thread of it) has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    user, system = int(fields[11]), int(fields[12])  # utime and stime, the 14th and 15th
    return (user + system) / os.sysconf("SC_CLK_TCK")


def child_pids(parent: int) -> list[int]:
    """The processes whose parent is `parent`, now."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            ppid = int(stat.read_text().rpartition(")")[2].split()[1])
        except (OSError, ValueError, IndexError):
            continue  # gone while read
        if ppid == parent:
            found.append(int(stat.parent.name))
    return found


@dataclass(frozen=True)
class CpuMeter:
    """CPU seconds of named processes, read before and after a phase."""

    pids: dict[str, int]

    def read(self) -> dict[str, float]:
        """Each process's CPU seconds so far."""
        return {name: cpu_seconds(pid) for name, pid in self.pids.items()}

    def per_request(self, before: dict[str, float], requests: int) -> dict[str, float]:
        """Each process's CPU milliseconds per request since `before`."""
        now = self.read()
        return {name: round((now[name] - before[name]) * 1000 / requests, 2) for name in self.pids}
