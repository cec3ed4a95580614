"""Worker memory against the number of waiting appraisals: a cycle of n employees launched for
real, every appraisal waiting on its first task, beside as many trivial waiting workflows, on
the file-backed dev server.

    .venv/bin/python -m bench.memory --waiting 2000 20000 [--cache 1000] [--touch 2000]

For each n, on a fresh server: `appraisal worker` runs in a process of its own (as deployed:
outside the sandbox, no notice sender, WORKER_MAX_CACHED_WORKFLOWS=--cache, the SDK's metrics
served for Prometheus) and a cycle of n employees is launched through it, the way HR launches
one. Once the launch is done and the worker has been idle for a while, the worker process's
resident memory (VmRSS, and its peak VmHWM, from /proc) is read with the SDK's sticky-cache
metrics: the cache's size, its forced evictions (a run pushed out of a full cache, or evicted for
any other reason than completing), its hits and misses. Then `--touch` appraisals picked at
random are queried for their state, which brings each one missing from the cache back into it
by replaying its history and pushes the least recently used one out; memory and the metrics are
read again once the worker is idle.

The reference is the plainest Temporal equivalent, in the same run on the same server: n
`bench.trivial.Waiting` workflows (wait for ever, answer a query) on a stock Worker in a
process of its own (the SDK's defaults but for the same cache size; the stock sandbox), started
from this process at 100 at a time, measured and touched the same way.

`--probe` runs the appraisal worker under bench.heap_probe and reads its heap after each reading
(the objects alive and unreachable, Python's arenas, what a collection and a trim give back);
it collects and trims, so the reading after it is no longer the worker as deployed.

Then the appraisal worker is stopped and a fresh one started on the same queue, as after any
restart, and measured the same way ("appraisal, restarted"): the memory a worker holds for n
appraisals waiting, apart from what running the launch of n left in its process.

Prints one JSON line per phase and a summary: per worker, its memory at each n and the ratio
of the largest n's to the smallest's. The worker processes are stopped by their process id."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import math
import os
import random
import signal
import subprocess
import sys
import time
import traceback
import urllib.request
import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from prometheus_client.parser import text_string_to_metric_families
from temporalio.client import Client, WorkflowQueryFailedError
from temporalio.service import RPCError

from appraisal_engine.appraisal.collector import TIDY_EVERY_S
from appraisal_engine.client.starters import launch_cycle
from appraisal_engine.store.db import make_engine, make_session_factory
from appraisal_engine.store.migrate import upgrade
from appraisal_engine.workflows.appraisal.workflow import AppraisalWorkflow
from appraisal_engine.workflows.cycle import CycleWorkflow
from appraisal_engine.workflows.ids import appraisal_workflow_id, cycle_id
from bench.launch import starts_per_second
from bench.stack import BENCH_POLICY, file_backed_server, free_port, store_roster
from bench.trivial import Waiting

ROOT = Path(__file__).resolve().parent.parent
# Quiet: the worker's CPU time grew by less than this over each of IDLE_WINDOWS windows of
# IDLE_WINDOW_S seconds, and none of its workflow or activity task counters moved. The windows
# last longer than `appraisal worker` takes to tidy up after its work (one of its looks,
# WORKER_TIDY_EVERY_SECONDS apart, with a margin), so a reading sees the worker as it stays.
IDLE_CPU_S = 0.05
IDLE_WINDOW_S = 2.0
TIDIES_EVERY_S = float(os.environ.get("WORKER_TIDY_EVERY_SECONDS") or TIDY_EVERY_S)  # as the worker
IDLE_WINDOWS = math.ceil(2 * TIDIES_EVERY_S / IDLE_WINDOW_S) + 1
IDLE_TIMEOUT_S = 900.0
TOUCH_CONCURRENCY = 10
# The cycle's status query is only a probe: on a loaded machine the server or the worker may
# turn it away (not polled yet, busy, timed out, its replay too slow); it is asked again, up to
# this many times in a row.
PROBE_TRIES = 100
# The SDK's series (Prometheus names): the cache's gauge and counters, and the task counters
# whose stillness says the worker has nothing left to do.
CACHE = {
    "temporal_sticky_cache_size": "cache_size",
    "temporal_sticky_cache_total_forced_eviction": "forced_evictions",
    "temporal_sticky_cache_hit": "cache_hits",
    "temporal_sticky_cache_miss": "cache_misses",
}
BUSY = (
    "temporal_workflow_task_queue_poll_succeed",
    "temporal_activity_task_received",
    "temporal_workflow_task_execution_latency",
    "temporal_activity_execution_latency",
)


def worker_metrics(port: int) -> dict[str, float]:
    """The worker's SDK metrics, each family's samples summed over their labels (a counter's
    `_total`, a histogram's `_count`)."""
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as response:
        text = response.read().decode()
    totals: dict[str, float] = defaultdict(float)
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            name = sample.name
            for suffix in ("_total", "_count"):
                if name.endswith(suffix):
                    name = name.removesuffix(suffix)
                    break
            else:
                if family.type == "histogram":
                    continue  # buckets and sums
            totals[name] += sample.value
    return totals


def proc_memory(pid: int) -> dict[str, float]:
    """The process's resident memory now and at its peak, and now by kind: anonymous (the
    heaps, Python's and the native side's) and file-backed (the libraries, any mapped file); in
    MB."""
    status = Path(f"/proc/{pid}/status").read_text()
    fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
    names = {"rss_mb": "VmRSS", "peak_rss_mb": "VmHWM", "anon_mb": "RssAnon", "file_mb": "RssFile"}
    return {key: round(int(fields[name].split()[0]) / 1024, 1) for key, name in names.items()}


def cpu_seconds(pid: int) -> float:
    """User and system CPU time the process has used."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@dataclass
class WorkerProcess:
    """A worker in a process of its own, its metrics served on a local port."""

    process: subprocess.Popen[bytes]
    metrics_port: int
    probe_file: Path | None = None  # bench.heap_probe's output, when it runs the worker

    @property
    def pid(self) -> int:
        """The worker's process id."""
        return self.process.pid

    async def ready(self) -> None:
        """Until its metrics answer (its client connected and the worker built)."""
        for _ in range(600):
            if self.process.poll() is not None:
                raise RuntimeError(f"the worker exited with {self.process.returncode}")
            try:
                worker_metrics(self.metrics_port)
                return
            except OSError:
                await asyncio.sleep(0.2)
        raise RuntimeError("the worker's metrics never answered")

    def busy(self) -> float:
        """The sum of the task counters: it stands still when the worker has nothing to do."""
        found = worker_metrics(self.metrics_port)
        return sum(found.get(name, 0.0) for name in BUSY)

    async def idle(self) -> float:
        """Wait until the worker is quiet (see IDLE_*); the seconds it took."""
        began = time.perf_counter()
        quiet = 0
        cpu, busy = cpu_seconds(self.pid), self.busy()
        while quiet < IDLE_WINDOWS:
            if time.perf_counter() - began > IDLE_TIMEOUT_S:
                raise RuntimeError("the worker never went idle")
            await asyncio.sleep(IDLE_WINDOW_S)
            now_cpu, now_busy = cpu_seconds(self.pid), self.busy()
            still = now_cpu - cpu < IDLE_CPU_S and now_busy == busy
            quiet = quiet + 1 if still else 0
            cpu, busy = now_cpu, now_busy
        return time.perf_counter() - began

    def reading(self) -> dict[str, Any]:
        """Its memory, the CPU it has used so far and the sticky cache's figures, now."""
        found = worker_metrics(self.metrics_port)
        cache = {key: int(found.get(name, 0.0)) for name, key in CACHE.items()}
        return proc_memory(self.pid) | {"cpu_s": round(cpu_seconds(self.pid), 1)} | cache

    async def probe(self) -> dict[str, Any] | None:
        """bench.heap_probe's reading of its heap (None without one): the objects it holds,
        what a full collection and a malloc_trim give back. Changes what is measured next."""
        if self.probe_file is None:
            return None
        done = len(self.probe_file.read_text().splitlines()) if self.probe_file.exists() else 0
        self.process.send_signal(signal.SIGUSR1)
        for _ in range(600):
            await asyncio.sleep(0.5)
            if self.probe_file.exists():
                lines = self.probe_file.read_text().splitlines(keepends=True)
                if len(lines) > done and lines[done].endswith("\n"):  # written whole
                    return json.loads(lines[done])  # type: ignore[no-any-return]
        raise RuntimeError("the worker's heap probe never answered")

    def stop(self) -> None:
        """Interrupt it (by its process id) and wait; kill it if it will not stop."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def start_worker(
    command: list[str], env: dict[str, str], cwd: Path, probe_file: Path | None = None
) -> WorkerProcess:
    """Start `command` in `cwd` with `env` added and a metrics port of its own in
    WORKER_METRICS_ADDRESS; its output goes to a log file in `cwd`. `probe_file`: where the
    command (bench.heap_probe) writes its heap probes."""
    port = free_port()
    full = {**os.environ, **env, "WORKER_METRICS_ADDRESS": f"127.0.0.1:{port}"}
    with (cwd / f"worker-{port}.log").open("wb") as log:  # its log stays in the temporary dir
        process = subprocess.Popen(command, env=full, cwd=cwd, stdout=log, stderr=log)
    return WorkerProcess(process, port, probe_file)


async def touch(client: Client, workflow_ids: list[str], query: str) -> dict[str, Any]:
    """Query each workflow once, TOUCH_CONCURRENCY at a time; the rate and failures. A
    replay that takes the SDK's deadlock timeout (2 s of wall time, easily reached on a loaded
    machine) fails its query and is counted, not raised."""
    failures = 0

    async def one(i: int) -> None:
        nonlocal failures
        try:
            await client.get_workflow_handle(workflow_ids[i]).query(query)
        except (RPCError, WorkflowQueryFailedError):
            failures += 1

    rate = await starts_per_second(len(workflow_ids), one, TOUCH_CONCURRENCY)
    return {"touched": len(workflow_ids), "queries_per_second": round(rate, 1), "failed": failures}


async def measure(
    label: str,
    worker: WorkerProcess,
    client: Client,
    workflow_ids: list[str],
    query: str,
    touches: int,
    seed: int,
) -> dict[str, Any]:
    """Memory and cache once idle, then again after touching a random sample."""
    settled = await worker.idle()
    waiting = worker.reading()
    print(json.dumps({"worker": label, "waiting": len(workflow_ids), "idle": waiting}), flush=True)
    idle_probe = await worker.probe()
    sample = random.Random(seed).sample(workflow_ids, min(touches, len(workflow_ids)))
    touched = await touch(client, sample, query)
    await worker.idle()
    after = worker.reading()
    result = {
        "worker": label,
        "waiting": len(workflow_ids),
        "idle_after_s": round(settled, 1),
        "idle": waiting,
        **touched,
        "after_touch": after,
    }
    if idle_probe is not None:
        result |= {"idle_probe": idle_probe, "after_touch_probe": await worker.probe()}
    return result


async def appraisals(
    client: Client, tmp: Path, n: int, cache: int, touches: int, probe: bool = False
) -> dict[str, Any]:
    """A real cycle of n employees launched through `appraisal worker`, then measured (with
    `probe`, the worker runs under bench.heap_probe and its heap is probed after each reading)."""
    url = f"sqlite+aiosqlite:///{tmp}/bench.db"
    await upgrade(url)
    engine = make_engine(url)
    sessions = make_session_factory(engine)
    roster_id, employees = await store_roster(sessions, n)
    await engine.dispose()
    queue = f"bench-mem-{uuid.uuid4().hex[:6]}"
    env = {
        "TEMPORAL_ADDRESS": client.service_client.config.target_host,
        "DATABASE_URL": url,
        "TASK_QUEUE": queue,
        "WORKER_MAX_CACHED_WORKFLOWS": str(cache),
        "WORKFLOW_SANDBOX": "false",
        "NOTICE_SENDER": "false",
        "PAYLOAD_KEYS": "",
        "SMTP_HOST": "",
        "WEBHOOK_URL": "",
    }
    command = [sys.executable, "-m", "appraisal_engine.appraisal.cli", "worker"]
    probe_file = None
    if probe:
        probe_file = tmp / "heap-probes.jsonl"
        command = [sys.executable, "-m", "bench.heap_probe", str(probe_file)]
        env |= {"PYTHONPATH": str(ROOT)}
    # In tmp: no .env of this checkout is read.
    worker = start_worker(command, env, tmp, probe_file)
    try:
        await worker.ready()
        await worker.idle()
        empty = worker.reading()
        org, year = f"bench-{n}", 2000 + n % 97
        began, refused = time.perf_counter(), 0
        cycle = await launch_cycle(
            client,
            org=org,
            year=year,
            roster_id=roster_id,
            policy=BENCH_POLICY,
            task_queue=queue,
            year_start=datetime.now(UTC),
        )
        while True:
            try:
                status = await cycle.query(CycleWorkflow.status)
            except (RPCError, WorkflowQueryFailedError):
                refused += 1
                if refused >= PROBE_TRIES:
                    raise
            else:
                refused = 0
                if status.launch_done:
                    break
            await asyncio.sleep(2)
        launched_s = time.perf_counter() - began
        print(f"launched {status.launched} appraisals in {launched_s:.0f} s", flush=True)
        ids = [appraisal_workflow_id(cycle_id(org, year), e.nip) for e in employees]
        result = await measure(
            "appraisal", worker, client, ids, AppraisalWorkflow.state.__name__, touches, n
        )
        result |= {"launched": status.launched, "launch_s": round(launched_s, 1), "empty": empty}
        # The same appraisals waiting, on a worker that did not run the launch (as after any
        # restart): what the worker holds for n waiting, apart from what a launch of n left.
        worker.stop()
        worker = start_worker(command, env, tmp, probe_file)
        await worker.ready()
        fresh = await measure(
            "appraisal, restarted",
            worker,
            client,
            ids,
            AppraisalWorkflow.state.__name__,
            touches,
            n,
        )
        print(json.dumps(fresh), flush=True)
        result["restarted"] = fresh
        await cycle.terminate("benchmark over")
        return result
    finally:
        worker.stop()


async def trivial(client: Client, tmp: Path, n: int, cache: int, touches: int) -> dict[str, Any]:
    """n trivial waiting workflows on a stock worker in a process of its own, then measured."""
    queue = f"bench-raw-{uuid.uuid4().hex[:6]}"
    env = {"TEMPORAL_ADDRESS": client.service_client.config.target_host}
    command = [sys.executable, "-m", "bench.memory", "--serve-raw", queue, "--cache", str(cache)]
    worker = start_worker(command, env | {"PYTHONPATH": str(ROOT)}, tmp)
    try:
        await worker.ready()
        await worker.idle()
        empty = worker.reading()
        ids = [f"{queue}-{i}" for i in range(n)]

        async def start(i: int) -> object:
            return await client.start_workflow(Waiting.run, id=ids[i], task_queue=queue)

        began = time.perf_counter()
        rate = await starts_per_second(n, start)
        started_s = time.perf_counter() - began
        print(f"started {n} trivial waiting workflows at {rate:.0f}/s", flush=True)
        result = await measure("trivial", worker, client, ids, Waiting.state.__name__, touches, n)
        result |= {"started_s": round(started_s, 1), "empty": empty}
        return result  # the server, and every workflow on it, goes with this size
    finally:
        worker.stop()


async def serve_raw(queue: str, cache: int) -> None:
    """The reference's worker: a stock Worker for `Waiting`, its metrics served (this process's
    entry point with --serve-raw)."""
    from temporalio.worker import Worker

    from appraisal_engine.client.connect import metrics_runtime

    client = await Client.connect(
        os.environ["TEMPORAL_ADDRESS"],
        runtime=metrics_runtime(os.environ["WORKER_METRICS_ADDRESS"]),
    )
    worker = Worker(client, task_queue=queue, workflows=[Waiting], max_cached_workflows=cache)
    await worker.run()


async def main(sizes: list[int], cache: int, touches: int, raw: bool, probe: bool) -> None:
    """Each size on a fresh server: the appraisals, then the reference."""
    rows: list[dict[str, Any]] = []
    for n in sizes:
        async with file_backed_server() as (env, tmp):
            row = await appraisals(env.client, tmp, n, cache, touches, probe)
            print(json.dumps(row), flush=True)
            rows.append(row)
            if raw:
                row = await trivial(env.client, tmp, n, cache, touches)
                print(json.dumps(row), flush=True)
                rows.append(row)
    summary: dict[str, Any] = {"cache": cache, "touch": touches, "sizes": sizes}
    restarted = [r["restarted"] for r in rows if "restarted" in r]
    for label in ("appraisal", "appraisal, restarted", "trivial"):
        mine = [r for r in rows + restarted if r["worker"] == label]
        if not mine:
            continue
        low, high = mine[0], mine[-1]
        summary[label] = {
            "rss_mb_idle": {r["waiting"]: r["idle"]["rss_mb"] for r in mine},
            "rss_mb_after_touch": {r["waiting"]: r["after_touch"]["rss_mb"] for r in mine},
            "forced_evictions_after_touch": {
                r["waiting"]: r["after_touch"]["forced_evictions"] for r in mine
            },
            "ratio_idle": round(high["idle"]["rss_mb"] / low["idle"]["rss_mb"], 2),
            "ratio_after_touch": round(
                high["after_touch"]["rss_mb"] / low["after_touch"]["rss_mb"], 2
            ),
        }
    print(json.dumps(summary))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--waiting", type=int, nargs="+", default=[2000, 20_000])
    parser.add_argument(
        "--cache", type=int, default=1000, help="WORKER_MAX_CACHED_WORKFLOWS of both workers"
    )
    parser.add_argument("--touch", type=int, default=2000, help="workflows queried after")
    parser.add_argument("--no-raw", action="store_true", help="leave the reference out")
    parser.add_argument(
        "--probe",
        action="store_true",
        help="probe the appraisal worker's heap after each reading (bench.heap_probe)",
    )
    parser.add_argument("--serve-raw", metavar="QUEUE", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_raw:
        with contextlib.suppress(KeyboardInterrupt):
            asyncio.run(serve_raw(args.serve_raw, args.cache))
        os._exit(0)
    code = 0
    try:
        asyncio.run(main(args.waiting, args.cache, args.touch, not args.no_raw, args.probe))
    except BaseException:
        traceback.print_exc()
        code = 1
    # As `appraisal` does: leave at once, the SDK's native threads must not see finalization.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
