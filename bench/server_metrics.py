"""Server-side diagnostic: what the dev server did during the raw reference and during a launch,
from its own Prometheus counters, read before and after each phase of one run.

    .venv/bin/python -m bench.server_metrics [--n 10000] [--raw 10000]

Prints, per phase, how many workflows were created, how many workflow tasks started (the
cycle's own among them), how many visibility rows were written new, rewritten and closed, and how
many task-queue backlog writes were made. Each phase's window runs from just before its first
start to two seconds after it returns, so it includes the launch's last status poll and the
cycle's termination."""

from __future__ import annotations

import argparse
import asyncio
import json

from appraisal_engine.appraisal.servers import server_counters
from appraisal_engine.store.migrate import upgrade
from bench.launch import launch_rate, raw_start_rate
from bench.stack import file_backed_server, free_port

# (sample, operation) -> what it counts; every service that handles an operation reports its
# own latency, so these are the ones recorded once per event.
COUNTED = {
    ("persistence_latency_count", "CreateWorkflowExecution"): "workflows_created",
    ("service_latency_count", "RecordWorkflowTaskStarted"): "workflow_tasks_started",
    ("visibility_persistence_latency_count", "RecordWorkflowExecutionStarted"): "visibility_new",
    ("visibility_persistence_latency_count", "UpsertWorkflowExecution"): "visibility_rewrite",
    ("visibility_persistence_latency_count", "RecordWorkflowExecutionClosed"): "visibility_closed",
    ("persistence_latency_count", "CreateTasks"): "backlog_writes",
}


def scrape(port: int) -> dict[str, int]:
    """The counters of COUNTED, now."""
    totals = server_counters(port)
    return {name: int(totals[sample]) for sample, name in COUNTED.items()}


async def main(n: int, raw_n: int) -> None:
    """The raw reference, then one launch, on one fresh file-backed dev server."""
    port = free_port()
    async with file_backed_server(["--metrics-port", str(port)]) as (env, tmp):
        url = f"sqlite+aiosqlite:///{tmp}/bench.db"
        await upgrade(url)
        await asyncio.sleep(2)  # the server publishes its counters every second or so
        before = scrape(port)
        raw = await raw_start_rate(env.client, raw_n)
        await asyncio.sleep(2)
        between = scrape(port)
        launch = await launch_rate(env.client, url, n)
        await asyncio.sleep(2)
        after = scrape(port)

    def phase(start: dict[str, int], end: dict[str, int]) -> dict[str, int]:
        return {key: end[key] - start[key] for key in COUNTED.values()}

    report = {
        "raw": {"starts_per_second": round(raw, 1), **phase(before, between)},
        "launch": {
            "appraisals_per_second": round(float(launch["appraisals_per_second"]), 1),
            **phase(between, after),
        },
    }
    print(json.dumps(report))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=10_000, help="employees to launch")
    parser.add_argument("--raw", type=int, default=10_000, help="trivial workflows to start")
    args = parser.parse_args()
    asyncio.run(main(args.n, args.raw))
