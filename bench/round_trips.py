"""One update's round trips, one at a time: what an update costs when nothing else runs,
for the plainest updates of three shapes, on the file-backed dev server and on the time-skipping
test server, in one run.

    .venv/bin/python -m bench.round_trips [--updates 200] [--activity-ms 0 25] [--json]

A `Written` workflow (bench/trivial.py: stock sandbox, data converter and worker) takes, one
after another, `--updates` of each shape:
- the trivial update: its handler sets a flag, answered in the workflow task that accepts it;
- an update answered once an activity is done: accepted in a workflow task that schedules the
  activity, answered in the workflow task that follows it (the shape of a completed task's step,
  whose write is an activity so that the audit log holds only committed decisions); once for
  each `--activity-ms` (how long the activity takes);
- an update answered once a local activity is done, inside the workflow task that accepts it.

Reports each shape's mean and p50 in milliseconds and its ratio to the trivial update, and,
from the history's event times, how long the workflow task after each activity waited between
being scheduled and being started by the worker. Nothing else runs: these are floors, not the
throughput of a loaded server (bench.api measures that)."""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from temporalio.api.enums.v1 import EventType
from temporalio.client import WorkflowHandle
from temporalio.converter import DataConverter
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from appraisal_engine.appraisal.servers import start_dev_server, start_time_skipping
from bench.trivial import Written, write_nothing

WARM_UP = 10
ACTIVITY_DONE = EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED
TASK_SCHEDULED = EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED
TASK_STARTED = EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED


async def timed(send: Callable[[], Awaitable[Any]], n: int) -> dict[str, float]:
    """Mean and p50 in ms of `n` calls of `send`, one after another, after a warm-up."""
    for _ in range(WARM_UP):
        await send()
    took = []
    for _ in range(n):
        began = time.perf_counter()
        await send()
        took.append((time.perf_counter() - began) * 1000)
    return {
        "mean_ms": round(statistics.fmean(took), 2),
        "p50_ms": round(statistics.median(took), 2),
    }


async def dispatch_after_activity(handle: WorkflowHandle[Any, Any]) -> float:
    """Mean ms between a workflow task scheduled after an activity completed and its start."""
    events = (await handle.fetch_history()).events
    waits = [
        (started.event_time.ToDatetime() - scheduled.event_time.ToDatetime()).total_seconds()
        for done, scheduled, started in zip(events, events[1:], events[2:], strict=False)
        if (done.event_type, scheduled.event_type, started.event_type)
        == (ACTIVITY_DONE, TASK_SCHEDULED, TASK_STARTED)
    ]
    return round(statistics.fmean(waits) * 1000, 2) if waits else 0.0


async def measure(env: WorkflowEnvironment, updates: int, activity_ms: list[int]) -> dict[str, Any]:
    """Every shape, one at a time, on one workflow per activity duration."""
    queue = f"round-trips-{uuid.uuid4().hex[:8]}"
    out: dict[str, Any] = {}
    async with Worker(
        env.client, task_queue=queue, workflows=[Written], activities=[write_nothing]
    ):
        handle: WorkflowHandle[Written, None] = await env.client.start_workflow(
            Written.run, id=queue, task_queue=queue
        )
        out["trivial"] = await timed(lambda: handle.execute_update(Written.set_flag), updates)
        out["local_activity"] = await timed(
            lambda: handle.execute_update(Written.after_local_activity, 0.0), updates
        )
        await handle.signal(Written.stop)
        for ms in activity_ms:
            wid = f"{queue}-{ms}"
            h: WorkflowHandle[Written, None] = await env.client.start_workflow(
                Written.run, id=wid, task_queue=queue
            )

            def send(h: WorkflowHandle[Any, Any] = h, s: float = ms / 1000) -> Awaitable[Any]:
                return h.execute_update(Written.after_activity, s)

            figures = await timed(send, updates)
            figures["task_after_activity_waited_ms"] = await dispatch_after_activity(h)
            out[f"activity_{ms}ms"] = figures
            await h.signal(Written.stop)
    trivial = out["trivial"]["mean_ms"]
    for figures in out.values():
        figures["x_trivial"] = round(figures["mean_ms"] / trivial, 2)
    return out


async def main(updates: int, activity_ms: list[int]) -> dict[str, Any]:
    """Both servers, one after the other."""
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        dev = await start_dev_server(
            db_file=str(Path(tmp) / "temporal.db"), data_converter=DataConverter.default
        )
        try:
            results["dev_server"] = await measure(dev, updates, activity_ms)
        finally:
            await dev.shutdown()
    skipping = await start_time_skipping(data_converter=DataConverter.default)
    try:
        results["time_skipping"] = await measure(skipping, updates, activity_ms)
    finally:
        await skipping.shutdown()
    return results


def report(results: dict[str, Any]) -> None:
    for server, shapes in results.items():
        print(f"{server}:")
        for shape, f in shapes.items():
            waited = f.get("task_after_activity_waited_ms")
            extra = "" if waited is None else f", next workflow task waited {waited} ms"
            print(
                f"  {shape:>16}: mean {f['mean_ms']} ms, p50 {f['p50_ms']} ms, "
                f"{f['x_trivial']}x trivial{extra}"
            )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--updates", type=int, default=200, help="of each shape")
    parser.add_argument(
        "--activity-ms", type=int, nargs="+", default=[0, 25], help="how long the activity takes"
    )
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    results = asyncio.run(main(args.updates, args.activity_ms))
    report(results)
    if args.json:
        print(json.dumps(results))
