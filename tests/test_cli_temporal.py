"""The commands that talk to Temporal, run as scripts and cron jobs run them: each exits with its
own code every time, and a refusal is one line on stderr (the traceback only with --debug)."""

from __future__ import annotations

import asyncio
import json
import os
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest

from appraisal_engine.appraisal.settings import Settings
from appraisal_engine.client.connect import connect
from appraisal_engine.simulator.scripted import APPEALS_OFFICER, REGIONAL_HEAD
from appraisal_engine.workflows.ids import cycle_workflow_id
from tests.cli import ENGLISH
from tests.dev_stack import APPRAISAL, ROOT, Dev
from tests.ports import free_port

ORG, YEAR = "kota-contoh", datetime.now(UTC).year  # the demo launches this year


@dataclass(frozen=True)
class Ran:
    """What one command did."""

    code: int
    out: str
    err: str


@dataclass(frozen=True)
class Stack:
    """The demo stack the commands talk to."""

    dev: Dev
    address: str


@pytest.fixture(scope="module")
async def stack(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Stack]:
    """`appraisal dev --demo`: a Temporal server with a launched cycle and a worker."""
    dev = Dev(tmp_path_factory.mktemp("cli") / "var", (free_port(), free_port(), free_port()))
    await dev.start()
    try:
        yield Stack(dev, f"127.0.0.1:{dev.ports[1]}")
    finally:
        await dev.stop()


async def appraisal(address: str, *args: str) -> Ran:
    """Run `appraisal ARGS` against the Temporal server at `address`."""
    env = {k: v for k, v in os.environ.items() if k not in ("JWT_SECRET", "DATABASE_URL")}
    env["TEMPORAL_ADDRESS"] = address
    proc = await asyncio.create_subprocess_exec(
        APPRAISAL, *ENGLISH, *args, env=env, cwd=ROOT,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await asyncio.wait_for(proc.communicate(), timeout=120)
    assert proc.returncode is not None
    return Ran(proc.returncode, out.decode(errors="replace"), err.decode(errors="replace"))


def one_line(ran: Ran) -> str:
    """The refusal's single stderr line; fails on a traceback or on more than one line."""
    assert ran.code != 0, ran
    assert "Traceback" not in ran.err, ran.err
    lines = ran.err.strip().splitlines()
    assert len(lines) == 1, ran.err
    return lines[0]


async def a_unit(stack: Stack) -> str:
    """A unit of the demo cycle, from `cycle status`."""
    ran = await appraisal(stack.address, "cycle", "status", "--org", ORG, "--year", str(YEAR))
    assert ran.code == 0, ran
    return str(sorted(json.loads(ran.out)["units"])[0])


def calibrate(stack: Stack, unit: str) -> list[str]:
    """The arguments of a calibration by the demo's HR officer."""
    return [
        "cycle", "calibrate", "--org", ORG, "--year", str(YEAR), "--unit", unit,
        "--rating", "baik", "--actor", stack.dev.exported("HR_NIP"),
    ]  # fmt: skip


async def test_a_calibration_before_the_reviews_is_one_line(stack: Stack) -> None:
    args = calibrate(stack, await a_unit(stack))
    line = one_line(await appraisal(stack.address, *args))
    assert "are not in yet" in line
    debug = await appraisal(stack.address, "--debug", *args)
    assert debug.code != 0
    assert "Traceback" in debug.err and "are not in yet" in debug.err


async def test_unknown_cycle_unknown_unit_and_bad_adjustment_are_one_line(stack: Stack) -> None:
    missing = await appraisal(stack.address, "cycle", "status", "--org", "nowhere", "--year", "1")
    assert one_line(missing).startswith("no cycle of nowhere for 1")  # not Temporal's own id
    no_schedule = await appraisal(stack.address, "schedule", "pause", "yearly-cycle-nowhere")
    assert one_line(no_schedule).startswith("no schedule yearly-cycle-nowhere")
    unit = one_line(await appraisal(stack.address, *calibrate(stack, "NO-SUCH-UNIT")))
    assert "NO-SUCH-UNIT" in unit
    bad = [*calibrate(stack, await a_unit(stack)), "--adjust", "x=NOT-A-GRADE:why"]
    usage = await appraisal(stack.address, *bad)  # a usage error, as typer reports them
    assert usage.code == 2 and "--adjust" in usage.err and "NOT-A-GRADE" in usage.err
    assert "Traceback" not in usage.err


async def test_hr_proposes_and_the_official_decides_a_units_rating(stack: Stack) -> None:
    unit = await a_unit(stack)
    hr = stack.dev.exported("HR_NIP")
    official = stack.dev.exported("REGIONAL_HEAD_NIP")  # the demo's offices head the roster
    where = ["--org", ORG, "--year", str(YEAR), "--unit", unit]
    proposed = await appraisal(
        stack.address, "cycle", "propose-rating", *where, "--rating", "istimewa",
        "--note", "capaian IKU 110%", "--actor", hr,
    )  # fmt: skip
    assert proposed.code == 0, proposed
    assert proposed.out.startswith(f"{unit}: istimewa proposed by {hr} at ")
    # HR may prepare the rating, not decide it.
    refused = await appraisal(
        stack.address, "cycle", "decide-rating", *where, "--rating", "baik", "--actor", hr
    )
    assert "only the unit's official" in one_line(refused)
    decided = await appraisal(
        stack.address, "cycle", "decide-rating", *where, "--rating", "baik", "--actor", official
    )
    assert decided.code == 0, decided
    assert decided.out.startswith(f"{unit}: baik decided by {official} at ")
    listed = await appraisal(stack.address, "cycle", "ratings", "--org", ORG, "--year", str(YEAR))
    assert listed.code == 0, listed
    (line,) = [x for x in listed.out.splitlines() if x.startswith(f"{unit}:")]
    assert f"rater {official}, proposed istimewa, decided baik by {official}" in line


async def test_an_unreachable_server_is_one_line() -> None:
    ran = await appraisal(f"127.0.0.1:{free_port()}", "schedule", "list")
    assert "127.0.0.1" in one_line(ran)


@pytest.mark.slow
async def test_every_command_exits_with_its_own_code_every_time(stack: Stack) -> None:
    unit = await a_unit(stack)
    named = ("--regional-head", REGIONAL_HEAD, "--appeals-officer", APPEALS_OFFICER)
    created = await appraisal(stack.address, "schedule", "create", "--org", ORG, *named)
    assert created.code == 0, created
    schedule_id = created.out.strip()
    # The answer each command gives: 0, or 1 for a refusal. A crash at exit (134 for an abort,
    # 139 for a segfault) would replace either.
    commands: list[tuple[list[str], int, int]] = [
        (["cycle", "status", "--org", ORG, "--year", str(YEAR)], 0, 30),
        (["schedule", "list"], 0, 30),
        (["schedule", "pause", schedule_id], 0, 8),
        (["schedule", "create", "--org", ORG, *named], 1, 8),  # it exists already
        (calibrate(stack, unit), 1, 8),  # reviews are not in yet
        (["register-search-attributes"], 0, 8),
    ]
    gate = asyncio.Semaphore(3)

    async def one(args: list[str]) -> tuple[str, int]:
        async with gate:
            ran = await appraisal(stack.address, *args)
        return " ".join(args[:2]), ran.code

    runs = [one(args) for args, _, times in commands for _ in range(times)]
    got = Counter(await asyncio.gather(*runs))
    wanted = Counter({(" ".join(args[:2]), code): times for args, code, times in commands})
    assert got == wanted


async def test_calibrating_a_closed_cycle_is_one_line(stack: Stack) -> None:
    unit = await a_unit(stack)
    client = await connect(Settings(temporal_address=stack.address))
    cycle = client.get_workflow_handle(cycle_workflow_id(ORG, YEAR))
    # HR cancels every appraisal through Temporal; with none left open the cycle closes.
    query = 'WorkflowType="AppraisalWorkflow" AND ExecutionStatus="Running"'
    async for listed in client.list_workflows(query):
        await client.get_workflow_handle(listed.id).cancel()
    await asyncio.wait_for(cycle.result(), timeout=90)
    line = one_line(await appraisal(stack.address, *calibrate(stack, unit)))
    assert "closed" in line or "completed" in line
    status = await appraisal(stack.address, "cycle", "status", "--org", ORG, "--year", str(YEAR))
    assert status.code == 0 and json.loads(status.out)["closed"] is True
