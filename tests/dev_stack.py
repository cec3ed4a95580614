"""One `appraisal dev` process as a newcomer runs it, on free ports, and what it printed."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

from tests.cli import ENGLISH
from tests.ports import free_port

ROOT = Path(__file__).resolve().parents[1]
APPRAISAL = str(Path(sys.executable).parent / "appraisal")


class Dev:
    """One `appraisal dev` process and what it printed."""

    def __init__(self, var: Path, ports: tuple[int, int, int], *, demo: bool = True) -> None:
        self.var, self.ports, self.demo = var, ports, demo
        self.smtp_port = free_port()
        self.lines: list[str] = []
        self.proc: asyncio.subprocess.Process | None = None

    async def start(self) -> None:
        api, temporal, ui = self.ports
        env = {k: v for k, v in os.environ.items() if k not in ("JWT_SECRET", "DATABASE_URL")}
        demo = ["--demo", "--employees", "16"] if self.demo else []
        self.proc = await asyncio.create_subprocess_exec(
            APPRAISAL, *ENGLISH, "dev", *demo, "--var", str(self.var),
            "--api-port", str(api), "--temporal-port", str(temporal), "--ui-port", str(ui),
            "--smtp-port", str(self.smtp_port),
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT, env=env, cwd=ROOT,
        )  # fmt: skip
        self.lines = []
        await asyncio.wait_for(self._until("ready:"), timeout=90)

    async def _until(self, marker: str) -> None:
        assert self.proc is not None and self.proc.stdout is not None
        while True:
            raw = await self.proc.stdout.readline()
            if not raw:
                raise AssertionError("dev stopped early:\n" + "\n".join(self.lines))
            self.lines.append(raw.decode().rstrip())
            if self.lines[-1].startswith(marker):
                return

    def exported(self, name: str) -> str:
        found = [line.split("=", 1)[1] for line in self.lines if line.startswith(f"export {name}=")]
        assert found, f"{name} not printed"
        return found[-1]

    async def stop(self) -> int:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGINT)
        assert self.proc.stdout is not None
        rest = await asyncio.wait_for(self.proc.stdout.read(), timeout=60)
        self.lines += rest.decode(errors="replace").splitlines()
        code = await asyncio.wait_for(self.proc.wait(), timeout=60)
        assert code == 0, "\n".join(self.lines[-30:])
        return code
