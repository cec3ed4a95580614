"""The README's five-minute tour, run as written against `appraisal dev --demo`: every command
of it, pasted into bash with the lines `appraisal dev` printed, does what the text beside it
says."""

from __future__ import annotations

import asyncio
import json
import os
import re
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.dev_stack import ROOT, Dev
from tests.ports import free_port

README = (ROOT / "README.md").read_text()
pytestmark = pytest.mark.slow


def tour_blocks() -> tuple[str, str]:
    """The tour's two shell blocks: the curl steps and the `temporal workflow list` lines."""
    tour = README[README.index("## A five-minute tour") : README.index("## Where the project")]
    blocks = re.findall(r"```sh\n(.*?)```", tour, flags=re.S)
    assert len(blocks) == 2, blocks
    return blocks[0], blocks[1]


def outputs_by_step(text: str) -> dict[int, str]:
    """What each numbered step printed, split at the markers the test put before each."""
    parts = re.split(r"^@@STEP (\d+)$", text, flags=re.M)
    return {int(n): out for n, out in zip(parts[1::2], parts[2::2], strict=True)}


def documents(text: str) -> list[Any]:
    """The JSON documents printed one after another."""
    decoder, found, at = json.JSONDecoder(), [], 0
    while (start := re.compile(r"[\[{]").search(text, at)) is not None:
        value, at = decoder.raw_decode(text, start.start())
        found.append(value)
    return found


async def bash(script: str, env: dict[str, str]) -> str:
    proc = await asyncio.create_subprocess_exec(
        "bash", "-eo", "pipefail", "-c", script,
        cwd=ROOT, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await asyncio.wait_for(proc.communicate(), timeout=120)
    assert proc.returncode == 0, (out.decode(), err.decode())
    return out.decode()


async def test_the_readme_tour_does_what_it_says(tmp_path: Path) -> None:
    curls, lists = tour_blocks()
    api_port, temporal_port, ui_port = free_port(), free_port(), free_port()
    dev = Dev(tmp_path / "var", (api_port, temporal_port, ui_port))
    await dev.start()
    try:
        env = {**os.environ}
        for line in dev.lines:
            if line.startswith("export ") and "=" in line:
                name, value = line.removeprefix("export ").split("=", 1)
                env[name] = value
        script = curls.replace("http://127.0.0.1:8000", f"http://127.0.0.1:{api_port}")
        assert script != curls, "the tour no longer sets API to the dev stack's address"
        script = re.sub(r"^# (\d+)\.", r'echo; echo "@@STEP \1"\n# \1.', script, flags=re.M)
        steps = outputs_by_step(await bash(script, env))
        assert sorted(steps) == [1, 2, 3, 4, 5, 6]

        # 1. The head's open task is a targets draft, and the example completes it.
        listed, done = documents(steps[1])
        assert [t["kind"] for t in listed["items"]] == ["targets.draft"]
        assert done["task"]["status"] == "done" and done["stage"] == "targets"
        # 2. The regional head approved it.
        (approved,) = documents(steps[2])
        assert approved["task"]["kind"] == "targets.approve", approved
        assert approved["task"]["status"] == "done" and approved["stage"] == "monitoring"
        # 3. The section head's draft, hanging from the head's targets, is accepted.
        (drafted,) = documents(steps[3])
        assert drafted["task"]["kind"] == "targets.draft", drafted
        assert drafted["task"]["assignee_nip"] == env["SECTION_HEAD_NIP"]
        assert drafted["task"]["status"] == "done"
        # 4. The employee posting to the head's task gets a 404 problem.
        (refused,) = documents(steps[4])
        assert refused["status"] == 404, refused
        # 5. HR reads the cycle.
        (cycle,) = documents(steps[5])
        assert cycle["status"]["cycle_id"] == env["CYCLE_ID"], cycle
        assert cycle["status"]["units"], cycle
        # 6. The employee sees their own appraisal alone, and its timeline; the chain verifies.
        mine, history, verified = documents(steps[6])
        assert [a["employee_nip"] for a in mine["items"]] == [env["EMPLOYEE_NIP"]], mine
        assert history["entries"], history
        assert verified["ok"] is True, verified

        temporal = str(Path(sys.executable).parent / "temporal")
        listing = lists.replace(".venv/bin/temporal", temporal).replace(
            "127.0.0.1:7233", f"127.0.0.1:{temporal_port}"
        )
        commands = [line for line in listing.splitlines() if line.startswith("$T ")]
        assert len(commands) == 3
        prelude = "\n".join(line for line in listing.splitlines() if line.startswith("T="))
        for command in commands:
            out = await bash(f"{prelude}\n{command}", env)
            rows = [line for line in out.splitlines() if "appraisal-" in line]
            assert rows, f"{command!r} printed no appraisal:\n{out}"
    finally:
        assert await dev.stop() == 0
