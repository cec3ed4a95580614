"""Launch benchmark: a 10,000- and a 20,000-employee cycle on the file-backed dev server, beside
the raw start rate of a trivial workflow measured in the same run.

    .venv/bin/python -m bench.launch [--sizes 10000 20000] [--raw 2000] [--repeat 3]

The worker runs as production workers do, outside the workflow sandbox (`--sandboxed` for the
tests' configuration). Reports appraisals started per second (the cycle's launch throughput),
its ratio to the raw rate, the cycle's history length and runs, and the worker's peak memory.

The raw rate is measured before the first launch and again after each one, on the same server,
and each launch is compared with the mean of the measurements on either side of it: this
machine's speed drifts by a fifth or more within minutes, and a 20,000-employee launch takes
two to three, so one reference taken at the start would compare a launch with another moment.
The ratios to either side alone are reported too.

With `--same-size` the reference is as long as the launch instead: n trivial starts for a launch
of n employees, and the launch and its reference each on a fresh server of its own, so both
start from an empty server and end holding as many workflows; every other pair measures the
raw first. A 2,000-start reference takes ten seconds on a server that holds few workflows, while
the launch it is compared with runs for one to three minutes on a server that fills up."""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import statistics
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from temporalio.api.enums.v1 import EventType
from temporalio.client import Client, WorkflowHistory
from temporalio.service import RPCError, RPCStatusCode
from temporalio.worker import Worker

from appraisal_engine.appraisal.worker import activities_for, build_worker
from appraisal_engine.client.starters import launch_cycle
from appraisal_engine.store.db import make_engine, make_session_factory
from appraisal_engine.store.migrate import upgrade
from appraisal_engine.workflows.cycle import CycleWorkflow
from appraisal_engine.workflows.io import LAUNCH_BATCH
from bench.stack import BENCH_POLICY, file_backed_server, store_roster
from bench.trivial import Trivial


async def starts_per_second(
    n: int, start: Callable[[int], Awaitable[object]], concurrency: int = 100
) -> float:
    """Call `start(i)` for i below n, `concurrency` at a time; calls per second."""
    gate = asyncio.Semaphore(concurrency)

    async def one(i: int) -> None:
        async with gate:
            await start(i)

    began = time.perf_counter()
    await asyncio.gather(*(one(i) for i in range(n)))
    return n / (time.perf_counter() - began)


async def raw_start_rate(client: Client, n: int, concurrency: int = 100) -> float:
    """Starts per second of a trivial workflow at the given concurrency, with a worker."""
    queue = f"raw-{uuid.uuid4().hex[:6]}"

    async def start(i: int) -> object:
        return await client.start_workflow(Trivial.run, id=f"raw-{queue}-{i}", task_queue=queue)

    async with Worker(client, task_queue=queue, workflows=[Trivial]):
        return await starts_per_second(n, start, concurrency)


def last_batch_done(history: WorkflowHistory) -> float:
    """When the cycle's last launch batch completed, as the server recorded it (epoch s)."""
    batches: set[int] = set()
    done = 0.0
    for event in history.events:
        if event.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
            attrs = event.activity_task_scheduled_event_attributes
            if attrs.activity_type.name == LAUNCH_BATCH:
                batches.add(event.event_id)
        elif (
            event.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED
            and event.activity_task_completed_event_attributes.scheduled_event_id in batches
        ):
            done = event.event_time.ToDatetime(tzinfo=UTC).timestamp()
    if not done:
        raise RuntimeError("no launch batch completed in the cycle's latest run")
    return done


async def launch_rate(
    client: Client, url: str, n: int, *, run_appraisals: bool = True, sandboxed: bool = False
) -> dict[str, float | int]:
    """Launch a cycle of n employees; time until every appraisal is started.

    With run_appraisals False the appraisals go to a queue no worker polls: the launch path
    alone, without the work of each new appraisal's first task (a diagnostic)."""
    engine = make_engine(url)
    sessions = make_session_factory(engine)
    roster_id, _ = await store_roster(sessions, n)
    queue = f"bench-{uuid.uuid4().hex[:6]}"
    target = queue if run_appraisals else f"{queue}-unpolled"
    acts = activities_for(client, sessions, task_queue=target)
    async with build_worker(client, queue, sessions, activities=acts, sandboxed=sandboxed):
        began = time.time()  # wall clock: compared with the server's event times below
        cycle = await launch_cycle(
            client,
            org=f"bench-{n}",
            year=2000 + n % 97,
            roster_id=roster_id,
            policy=BENCH_POLICY,
            task_queue=queue,
            year_start=datetime.now(UTC),
        )
        unseen = 0
        while True:  # seldom: each look is a query the worker answers, load of its own
            try:
                status = await cycle.query(CycleWorkflow.status)
            except RPCError as e:  # a worker just started may not have been seen polling yet
                unseen += 1
                if e.status is not RPCStatusCode.FAILED_PRECONDITION or unseen > 30:
                    raise
            else:
                if status.launch_done:
                    break
            await asyncio.sleep(1)
        history = await cycle.fetch_history()
        elapsed = last_batch_done(history) - began
        await cycle.terminate("benchmark over")
    await engine.dispose()
    return {
        "employees": n,
        "launch_seconds": round(elapsed, 1),
        "appraisals_per_second": status.launched / elapsed,  # rounded once compared
        "cycle_history_events": len(history.events),
        "cycle_runs": status.runs,
    }


async def one_run(
    sizes: list[int],
    raw_n: int,
    database_url: str | None,
    run_appraisals: bool,
    sandboxed: bool,
) -> dict[str, Any]:
    """The reference and each launch on one fresh file-backed dev server."""
    async with file_backed_server() as (env, tmp):
        url = database_url or f"sqlite+aiosqlite:///{tmp}/bench.db"
        await upgrade(url)
        raws = [await raw_start_rate(env.client, raw_n)]
        print(f"raw trivial-workflow starts/s: {raws[-1]:.1f}", flush=True)
        results = []
        for n in sizes:
            r = await launch_rate(
                env.client, url, n, run_appraisals=run_appraisals, sandboxed=sandboxed
            )
            raws.append(await raw_start_rate(env.client, raw_n))
            print(f"raw trivial-workflow starts/s: {raws[-1]:.1f}", flush=True)
            before, after = raws[-2:]
            rate = float(r["appraisals_per_second"])
            r["appraisals_per_second"] = round(rate, 1)
            r["raw_before"], r["raw_after"] = round(before, 1), round(after, 1)
            r["ratio_to_raw"] = round(rate / ((before + after) / 2), 3)
            # Either side alone, for a reader who doubts the mean: the raw after a launch
            # runs on a server that holds that launch's workflows.
            r["ratio_to_raw_before"] = round(rate / before, 3)
            r["ratio_to_raw_after"] = round(rate / after, 3)
            results.append(r)
            print(json.dumps(r), flush=True)
        return {"raw_starts_per_second": [round(x, 1) for x in raws], "launches": results}


async def same_size_pair(
    n: int,
    launch_first: bool,
    database_url: str | None,
    run_appraisals: bool,
    sandboxed: bool,
) -> dict[str, Any]:
    """A launch of n employees and n trivial starts, each on a fresh server of its own, in the
    order given: both start from an empty server and do the same number of starts."""
    out: dict[str, Any] = {
        "employees": n,
        "order": "launch, raw" if launch_first else "raw, launch",
    }
    for kind in ("launch", "raw") if launch_first else ("raw", "launch"):
        async with file_backed_server() as (env, tmp):
            if kind == "raw":
                out["raw"] = await raw_start_rate(env.client, n)
                continue
            url = database_url or f"sqlite+aiosqlite:///{tmp}/bench.db"
            await upgrade(url)
            out |= await launch_rate(
                env.client, url, n, run_appraisals=run_appraisals, sandboxed=sandboxed
            )
    rate = float(out["appraisals_per_second"])
    out["ratio_to_raw"] = round(rate / out["raw"], 3)
    out["appraisals_per_second"], out["raw"] = round(rate, 1), round(out["raw"], 1)
    print(json.dumps(out), flush=True)
    return out


async def main_same_size(
    sizes: list[int],
    database_url: str | None,
    run_appraisals: bool,
    sandboxed: bool,
    repeat: int,
    launch_first: bool = False,
) -> None:
    """`repeat` pairs per size, the raw measured first in every other pair (from the first
    pair unless `launch_first`)."""
    pairs = [
        await same_size_pair(
            n, (i % 2 == 1) != launch_first, database_url, run_appraisals, sandboxed
        )
        for i in range(repeat)
        for n in sizes
    ]
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    medians = [
        {
            "employees": n,
            **{
                key: statistics.median(p[key] for p in pairs if p["employees"] == n)
                for key in ("appraisals_per_second", "raw", "ratio_to_raw")
            },
        }
        for n in sizes
    ]
    print(json.dumps({"pairs": pairs, "median": medians, "worker_peak_rss_mb": round(peak_mb)}))


async def main(
    sizes: list[int],
    raw_n: int,
    database_url: str | None,
    run_appraisals: bool = True,
    sandboxed: bool = False,
    repeat: int = 1,
) -> None:
    """Run the benchmark `repeat` times, each on a fresh server, and report the medians.

    One run's ratio moves by a tenth either way on this kind of machine: the median of a few
    fresh runs is the figure to quote."""
    runs = [
        await one_run(sizes, raw_n, database_url, run_appraisals, sandboxed) for _ in range(repeat)
    ]
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    summary: dict[str, Any] = {"runs": runs, "worker_peak_rss_mb": round(peak_mb)}
    if repeat > 1:
        summary["median"] = {
            "raw_starts_per_second": statistics.median(
                x for r in runs for x in r["raw_starts_per_second"]
            ),
            "launches": [
                {
                    "employees": n,
                    "appraisals_per_second": statistics.median(
                        r["launches"][i]["appraisals_per_second"] for r in runs
                    ),
                    "ratio_to_raw": statistics.median(
                        r["launches"][i]["ratio_to_raw"] for r in runs
                    ),
                }
                for i, n in enumerate(sizes)
            ],
        }
    print(json.dumps(summary))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 20_000])
    parser.add_argument("--raw", type=int, default=2000, help="trivial workflows to start")
    parser.add_argument("--database-url", help="the read model (default: a SQLite file)")
    parser.add_argument(
        "--launch-only",
        action="store_true",
        help="diagnostic: start the appraisals but run none of them",
    )
    parser.add_argument(
        "--sandboxed",
        action="store_true",
        help="run the appraisals in Temporal's workflow sandbox, as tests do (production: off)",
    )
    parser.add_argument(
        "--repeat", type=int, default=1, help="fresh runs to take the median of (default 1)"
    )
    parser.add_argument(
        "--same-size",
        action="store_true",
        help="reference of as many trivial starts as the launch has employees, each launch and "
        "each reference on a fresh server of its own, alternating which goes first (--raw unused)",
    )
    parser.add_argument(
        "--launch-first",
        action="store_true",
        help="with --same-size: the first pair measures the launch first (to balance a run)",
    )
    args = parser.parse_args()
    if args.same_size:
        asyncio.run(
            main_same_size(
                args.sizes,
                args.database_url,
                not args.launch_only,
                args.sandboxed,
                args.repeat,
                args.launch_first,
            )
        )
        raise SystemExit
    asyncio.run(
        main(
            args.sizes,
            args.raw,
            args.database_url,
            not args.launch_only,
            args.sandboxed,
            args.repeat,
        )
    )
