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
import re
import socket
import tempfile
import urllib.request
from collections import Counter
from pathlib import Path

from appraisal.servers import start_dev_server
from bench.launch import launch_rate, raw_start_rate
from store.migrate import upgrade

# (metric, operation) -> what it counts; every service that handles an operation reports its
# own latency, so these are the ones recorded once per event.
COUNTED = {
    ("persistence_latency_count", "CreateWorkflowExecution"): "workflows_created",
    ("service_latency_count", "RecordWorkflowTaskStarted"): "workflow_tasks_started",
    ("visibility_persistence_latency_count", "RecordWorkflowExecutionStarted"): "visibility_new",
    ("visibility_persistence_latency_count", "UpsertWorkflowExecution"): "visibility_rewrite",
    ("visibility_persistence_latency_count", "RecordWorkflowExecutionClosed"): "visibility_closed",
    ("persistence_latency_count", "CreateTasks"): "backlog_writes",
}
SAMPLE = re.compile(r"^(\w+)\{(.*)\} ([0-9.e+-]+)$")


def free_port() -> int:
    """A local TCP port nobody listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def scrape(port: int) -> Counter[str]:
    """The counters of COUNTED, summed over their other labels."""
    text = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics").read().decode()
    totals: Counter[str] = Counter()
    for line in text.splitlines():
        m = SAMPLE.match(line)
        if not m:
            continue
        name, labels, value = m.groups()
        op = re.search(r'operation="([^"]*)"', labels)
        key = COUNTED.get((name, op.group(1) if op else ""))
        if key:
            totals[key] += int(float(value))
    return totals


async def main(n: int, raw_n: int) -> None:
    """The raw reference, then one launch, on one fresh file-backed dev server."""
    port = free_port()
    with tempfile.TemporaryDirectory() as tmp:
        env = await start_dev_server(
            db_file=str(Path(tmp) / "temporal.db"), extra_args=["--metrics-port", str(port)]
        )
        url = f"sqlite+aiosqlite:///{tmp}/bench.db"
        await upgrade(url)
        try:
            await asyncio.sleep(2)  # the server publishes its counters every second or so
            before = scrape(port)
            raw = await raw_start_rate(env.client, raw_n)
            await asyncio.sleep(2)
            between = scrape(port)
            launch = await launch_rate(env.client, url, n)
            await asyncio.sleep(2)
            after = scrape(port)
        finally:
            await env.shutdown()

    def phase(start: Counter[str], end: Counter[str]) -> dict[str, int]:
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
