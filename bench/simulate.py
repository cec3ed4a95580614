"""The simulated year against a raw time-skipping reference, in one run.

    .venv/bin/python -m bench.simulate --employees N [--policy national] [--seed 0]
                                       [--sample 0] [--json]

First `appraisal simulate`'s cycle for N employees, as the command runs it (its worker, its
temporary SQLite read model, a time-skipping test server of its own), timed from the roster's
generation to the report, with the time of each phase. Then, untimed, its appraisals'
histories are read from that server to count what each one did with Temporal: the updates
accepted, the signals received and the timers started (`--sample K` reads K appraisals
chosen evenly instead of all of them; the activities and workflow tasks are counted too,
for the reader). The cycle's own histories (every run) are counted the same way.

Then the reference, on a fresh time-skipping server: one `Stepped` workflow (bench/trivial.py:
plain Temporal, stock sandbox and data converter, a worker of its own) per counted appraisal
and one for the cycle, each doing that workflow's number of updates, signals and timers.
Its timers span the simulated year, one after another; the client sends its updates and signals
in rounds, as many at once as the simulation's actors answer, and sleeps on the server's clock
between rounds (time skips once nothing is pending), then awaits the results with time
skipping. With `--sample`, the reference is scaled to N appraisals by repeating the sample.

Prints both times and the ratio simulation / reference (`--json`: also as JSON)."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import time
import uuid
from collections import Counter
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio.api.enums.v1 import EventType
from temporalio.client import Client, WorkflowHandle
from temporalio.converter import DataConverter
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from appraisal_engine.appraisal.cli_simulate import BACKEND, core_logs_to_stderr, sandboxed
from appraisal_engine.appraisal.servers import start_time_skipping
from appraisal_engine.domain.presets import PRESETS
from appraisal_engine.simulator.cycle import simulate
from appraisal_engine.simulator.inbox import ANSWERS_AT_ONCE
from appraisal_engine.store.models import AppraisalRow
from appraisal_engine.workflows.ids import workflow_id_of_cycle
from bench.trivial import Stepped, Steps

YEAR = timedelta(days=365 + 75)  # the simulated year and its tail: review, appeal, follow-up
COUNTED = {
    "updates": EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED,
    "signals": EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED,
    "timers": EventType.EVENT_TYPE_TIMER_STARTED,
    "activities": EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED,
    "workflow_tasks": EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED,
}


@dataclass
class Counted:
    """What the simulation's workflows did with Temporal, from their histories."""

    appraisals: list[Counter[str]]  # one per appraisal read
    cycle: Counter[str]
    appraisals_total: int  # in the cycle, read or not


def cpu_seconds() -> dict[str, float]:
    """CPU seconds used so far by this process and by its time-skipping test servers."""
    own = os.times()
    out = {"python": own.user + own.system, "test_server": 0.0}
    tick = os.sysconf("SC_CLK_TCK")
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            stat = (proc / "stat").read_text()
            cmd = (proc / "cmdline").read_bytes()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[1]) == os.getpid() and b"temporal-test-server" in cmd:
            out["test_server"] += (int(fields[11]) + int(fields[12])) / tick
    return {k: round(v, 1) for k, v in out.items()}


async def count_history(client: Client, workflow_id: str) -> Counter[str]:
    """The counted events of a workflow's history, over every run it continued as new into."""
    counts: Counter[str] = Counter()
    handle: WorkflowHandle[Any, Any] = client.get_workflow_handle(workflow_id)
    first = (await handle.describe()).raw_description.workflow_execution_info
    run_id: str | None = first.first_run_id or None
    while True:
        history = await client.get_workflow_handle(workflow_id, run_id=run_id).fetch_history()
        counts["events"] += len(history.events)
        counts["runs"] += 1
        types = Counter(e.event_type for e in history.events)
        for name, kind in COUNTED.items():
            counts[name] += types[kind]
        last = history.events[-1]
        if last.event_type != EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW:
            return counts
        run_id = last.workflow_execution_continued_as_new_event_attributes.new_execution_run_id


async def count_steps(
    env: WorkflowEnvironment, sessions: async_sessionmaker[AsyncSession], sample: int
) -> Counted:
    """Read the appraisals' histories (all, or `sample` chosen evenly) and the cycle's."""
    async with sessions() as session:
        rows = (await session.execute(select(AppraisalRow.id, AppraisalRow.cycle_id))).all()
    [cycle_id] = {row.cycle_id for row in rows}
    ids = sorted(row.id for row in rows)
    chosen = ids if not sample or sample >= len(ids) else ids[:: max(1, len(ids) // sample)]
    gate = asyncio.Semaphore(16)

    async def one(workflow_id: str) -> Counter[str]:
        async with gate:
            return await count_history(env.client, workflow_id)

    appraisals = list(await asyncio.gather(*(one(i) for i in chosen)))
    cycle = await count_history(env.client, workflow_id_of_cycle(cycle_id))
    return Counted(appraisals=appraisals, cycle=cycle, appraisals_total=len(ids))


async def run_simulation(
    policy: str, employees: int, seed: int, sample: int
) -> tuple[dict[str, Any], Counted]:
    """The command's simulated cycle, timed by phase; then its workflows counted."""
    counted: list[Counted] = []

    cpu: list[dict[str, float]] = []

    async def inspect(env: WorkflowEnvironment, sessions: async_sessionmaker[AsyncSession]) -> None:
        cpu.append(cpu_seconds())
        counted.append(await count_steps(env, sessions, sample))

    phases: dict[str, float] = {}
    began = time.perf_counter()
    cpu_before = cpu_seconds()
    report = await simulate(
        PRESETS[policy], employees, backend=BACKEND, seed=seed, phases=phases, inspect=inspect
    )
    return {
        "seconds": report.wall_seconds,
        "seconds_with_history_reads": round(time.perf_counter() - began, 1),
        "phases": {k: round(v, 1) for k, v in phases.items()},
        "cpu_seconds": used(cpu_before, cpu[0]),
        "simulated_days": report.simulated_days,
        "done": report.done,
        "cancelled": report.cancelled,
    }, counted[0]


def used(before: dict[str, float], after: dict[str, float]) -> dict[str, float]:
    """CPU seconds between two readings (a server started between them counts from zero)."""
    return {k: round(after[k] - (before[k] if k == "python" else 0.0), 1) for k in after}


def plans(counted: Counted) -> list[Steps]:
    """Each reference workflow's steps: one per appraisal (the sample repeated to the cycle's
    size if sampled) and one for the cycle."""
    shapes = [*counted.appraisals]
    shapes = [shapes[i % len(shapes)] for i in range(counted.appraisals_total)] + [counted.cycle]
    return [
        Steps(
            updates=c["updates"],
            signals=c["signals"],
            timers=c["timers"],
            gap_seconds=YEAR.total_seconds() / max(1, c["timers"]),
        )
        for c in shapes
    ]


async def run_reference(steps: list[Steps]) -> dict[str, Any]:
    """The same updates, signals and timers on plain workflows, on a fresh server."""
    env = await start_time_skipping(data_converter=DataConverter.default)
    try:
        queue = f"reference-{uuid.uuid4().hex[:8]}"
        began = time.perf_counter()
        cpu_before = cpu_seconds()
        async with Worker(env.client, task_queue=queue, workflows=[Stepped]):
            handles = await asyncio.gather(
                *(
                    env.client.start_workflow(Stepped.run, s, id=f"stepped-{i}", task_queue=queue)
                    for i, s in enumerate(steps)
                )
            )
            # As many rounds as the busiest appraisal has messages; a workflow with more (the
            # cycle's progress signals) sends its share of them in each round.
            rounds = max(1, *(max(s.updates, s.signals) for s in steps[:-1]))
            gate = asyncio.Semaphore(ANSWERS_AT_ONCE)

            async def send(handle: WorkflowHandle[Any, Any], s: Steps, r: int) -> None:
                for _ in range(share(s.updates, r, rounds)):
                    async with gate:
                        await handle.execute_update(Stepped.step)
                for _ in range(share(s.signals, r, rounds)):
                    async with gate:
                        await handle.signal(Stepped.nudge)

            for r in range(rounds):
                await asyncio.gather(*(send(h, s, r) for h, s in zip(handles, steps, strict=True)))
                await env.sleep(YEAR / rounds)
            # Concurrent result waits would each unlock time skipping, which the test server
            # refuses; one sleep at a time skips time until every workflow has returned.
            with env.auto_time_skipping_disabled():
                results = asyncio.gather(*(h.result() for h in handles))
                while not results.done():
                    await env.sleep(timedelta(days=1))
                await results
            seconds = time.perf_counter() - began
            cpu = used(cpu_before, cpu_seconds())
    finally:
        await env.shutdown()
    return {
        "seconds": round(seconds, 1),
        "cpu_seconds": cpu,
        "workflows": len(steps),
        "rounds": rounds,
    }


def share(total: int, r: int, rounds: int) -> int:
    """How many of `total` messages go in round `r` of `rounds`, spread evenly."""
    return (r + 1) * total // rounds - r * total // rounds


def per_appraisal(counted: Counted) -> dict[str, float]:
    """The mean of each count over the appraisals read."""
    total: Counter[str] = Counter()
    for c in counted.appraisals:
        total.update(c)
    return {k: round(v / len(counted.appraisals), 2) for k, v in sorted(total.items())}


async def main(policy: str, employees: int, seed: int, sample: int) -> dict[str, Any]:
    """Both runs, one after the other, and their ratio."""
    sim, counted = await run_simulation(policy, employees, seed, sample)
    worker = "sandboxed" if sandboxed() else "unsandboxed (as production workers run)"
    print(f"simulation: {sim['seconds']} s, worker {worker}, phases {sim['phases']}", flush=True)
    steps = plans(counted)
    ref = await run_reference(steps)
    print(f"reference: {ref['seconds']} s for {ref['workflows']} workflows", flush=True)
    out = {
        "policy": policy,
        "employees": employees,
        "seed": seed,
        "simulation": {**sim, "worker": worker},
        "per_appraisal": per_appraisal(counted),
        "appraisals_read": len(counted.appraisals),
        "cycle": dict(sorted(counted.cycle.items())),
        "reference": {
            **ref,
            "updates": sum(s.updates for s in steps),
            "signals": sum(s.signals for s in steps),
            "timers": sum(s.timers for s in steps),
        },
        "ratio": round(sim["seconds"] / ref["seconds"], 2),
    }
    return out


def show(out: dict[str, Any]) -> None:
    """The figures as a few lines of text."""
    sim, ref = out["simulation"], out["reference"]
    print(f"policy {out['policy']}, {out['employees']} employees, seed {out['seed']}")
    print(f"per appraisal ({out['appraisals_read']} read): {out['per_appraisal']}")
    print(f"cycle: {out['cycle']}")
    print(
        f"simulation: {sim['seconds']} s ({sim['simulated_days']} simulated days; "
        f"phases {sim['phases']}; worker {sim['worker']})"
    )
    print(f"cpu seconds: simulation {sim['cpu_seconds']}, reference {ref['cpu_seconds']}")
    print(
        f"reference:  {ref['seconds']} s ({ref['workflows']} workflows, {ref['updates']} updates, "
        f"{ref['signals']} signals, {ref['timers']} timers, {ref['rounds']} rounds)"
    )
    print(f"simulation / reference: {out['ratio']}x")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--employees", type=int, default=100)
    parser.add_argument("--policy", choices=sorted(PRESETS), default="national")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--sample", type=int, default=0, help="appraisal histories to read (0: all)"
    )
    parser.add_argument("--json", action="store_true", help="also print the figures as JSON")
    args = parser.parse_args()
    core_logs_to_stderr()
    figures = asyncio.run(main(args.policy, args.employees, args.seed, args.sample))
    show(figures)
    if args.json:
        print(json.dumps(figures))
