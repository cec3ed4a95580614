"""What every benchmark stands on: a fresh file-backed dev server, and a free local port."""

from __future__ import annotations

import socket
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

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
