"""`appraisal dev --demo` as a newcomer runs it: start, complete a task with a printed token, stop
with Ctrl-C, start again, and find the task still done."""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import socket
import sys
from pathlib import Path

import httpx

from tests.faults.stack import free_port

ROOT = Path(__file__).resolve().parents[1]
APPRAISAL = str(Path(sys.executable).parent / "appraisal")


class Dev:
    """One `appraisal dev` process and what it printed."""

    def __init__(self, var: Path, ports: tuple[int, int, int]) -> None:
        self.var, self.ports = var, ports
        self.lines: list[str] = []
        self.proc: asyncio.subprocess.Process | None = None

    async def start(self) -> None:
        api, temporal, ui = self.ports
        env = {k: v for k, v in os.environ.items() if k not in ("JWT_SECRET", "DATABASE_URL")}
        self.proc = await asyncio.create_subprocess_exec(
            APPRAISAL, "dev", "--demo", "--var", str(self.var), "--employees", "16",
            "--api-port", str(api), "--temporal-port", str(temporal), "--ui-port", str(ui),
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


async def test_dev_demo_survives_a_restart(tmp_path: Path) -> None:
    dev = Dev(tmp_path / "var", (free_port(), free_port(), free_port()))
    base = f"http://127.0.0.1:{dev.ports[0]}"
    await dev.start()
    try:
        token = dev.exported("SUPERVISOR_TOKEN")
        curl = next(line for line in dev.lines if "targets-draft.json" in line)
        task_id = re.search(r"/v1/tasks/([^/]+)/complete", curl).group(1)  # type: ignore[union-attr]
        body = json.loads((ROOT / "examples" / "targets-draft.json").read_text())
        async with httpx.AsyncClient(base_url=base, timeout=30) as http:
            assert (await http.get("/readyz")).status_code == 200
            headers = {"Authorization": f"Bearer {token}"}
            r = await http.post(f"/v1/tasks/{task_id}/complete", json=body, headers=headers)
            assert r.status_code == 200, r.text
    finally:
        assert await dev.stop() == 0
    assert any(line.startswith("stopped") for line in dev.lines)

    await dev.start()  # the same var/: the same Temporal state, database and signing secret
    try:
        async with httpx.AsyncClient(base_url=base, timeout=30) as http:
            r = await http.get(f"/v1/tasks/{task_id}", headers=headers)
            assert r.status_code == 200, r.text
            assert r.json()["status"] == "done"
            hr = {"Authorization": f"Bearer {dev.exported('HR_TOKEN')}"}
            cycle_id = dev.exported("CYCLE_ID")
            status = await http.get(f"/v1/cycles/{cycle_id}", headers=hr)
            assert status.status_code == 200, status.text
            assert status.json()["status"]["launched"] == 16
            # Launched once, not twice: Temporal knows a single run of the cycle.
            listed = (await http.get("/v1/cycles", headers=hr)).json()["items"]
            assert [c["cycle_id"] for c in listed].count(cycle_id) == 1
    finally:
        assert await dev.stop() == 0


async def test_a_busy_port_is_named(tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        proc = await asyncio.create_subprocess_exec(
            APPRAISAL, "dev", "--var", str(tmp_path), "--api-port", str(port),
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        _, err = await asyncio.wait_for(proc.communicate(), timeout=60)
    assert proc.returncode == 1
    assert f"port {port} is busy" in err.decode() and "--api-port" in err.decode()
