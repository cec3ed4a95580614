"""API latency benchmark: reviews (or self-reports) completed through the HTTP API, beside the
same updates sent straight to Temporal and a trivial workflow's update, in one run on the
file-backed dev server.

    .venv/bin/python -m bench.api [--appraisals 200] [--concurrency 100] [--kind review]
                                  [--sandboxed] [--database-server URL] [--workers 1]
                                  [--json]

Set-up, not timed: N standalone appraisals with their year started a year ago (every report
period is due) are driven by scripted actors until each one's task of `--kind` is open (for
self-reports, the first period's). Timed: half of the tasks completed with the Temporal client
(`execute_update`, the raw reference), then the other half as POST /v1/tasks/{id}/complete over
real HTTP to uvicorn in a subprocess (the API process, as deployed: its own Temporal client and
database engine), then as many updates of a trivial workflow (its handler sets a flag; stock
sandbox, a worker of its own) at the same concurrency, the floor any task completion stands on,
and as many of the same workflow's updates answered once an activity, then once a local
activity, that does nothing is done: the most any step of those two shapes could reach.
The appraisals' worker runs in this process, as production workers do: outside the workflow
sandbox (`--sandboxed` for the sandbox the tests use). `--concurrency` people work at once, each
completing their share one after another. Reports requests, throughput, p50 and p99 for each,
the API's ratios to the raw update and to the trivial one, each shape's ratios to the trivial
one, the CPU each process spent per completion, and the collector's pauses in this
process while the two halves ran. The read model is SQLite beside the server, or with
`--database-server` a new database on a PostgreSQL server (the production store), dropped after."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import math
import os
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import httpx
from fastapi import FastAPI
from temporalio.client import Client, WorkflowHandle
from temporalio.worker import Worker

from appraisal_engine.api.auth import mint_token
from appraisal_engine.api.config import AuthConfig
from appraisal_engine.appraisal.collector import Pauses, tune_collector
from appraisal_engine.appraisal.servers import start_dev_server
from appraisal_engine.appraisal.worker import build_worker
from appraisal_engine.domain.employee import PositionLevel
from appraisal_engine.domain.presets import NATIONAL
from appraisal_engine.domain.records import TaskRecord, TaskStatus
from appraisal_engine.domain.tasks import TaskKind
from appraisal_engine.simulator.scripted import Actors, drive_year, nip
from appraisal_engine.store.db import make_engine, make_session_factory
from appraisal_engine.store.migrate import upgrade
from appraisal_engine.workflows.appraisal.workflow import AppraisalWorkflow
from appraisal_engine.workflows.messages import (
    AppraisalInput,
    AppraisalState,
    CompleteTaskInput,
    TaskBody,
)
from bench.stack import CpuMeter, child_pids, free_port, scratch_database
from bench.trivial import Flagged, Written, write_nothing

SECRET = "bench-secret-of-at-least-32-bytes-long"
ISSUER = "appraisal-bench"
AUDIENCE = "appraisal"
SUPERIOR = nip(1, born="19650115")
SETTLE_S = 3.0
KINDS = {"review": TaskKind.REVIEW, "self_report": TaskKind.SELF_REPORT}
T = TypeVar("T")


def person(born_year: int, i: int) -> str:
    """The i-th fictional NIP of a generation: 999 per birth year."""
    return nip(i % 999 + 1, born=f"{born_year + i // 999}0115")


@dataclass
class Step:
    """An open task, the body its assignee completes it with, and its place in the set-up."""

    appraisal_id: str
    task: TaskRecord
    body: TaskBody
    index: int


@dataclass
class Figures:
    """One path's timed completions."""

    requests: int
    seconds: float
    latencies: list[float]
    failures: int

    def summary(self) -> dict[str, float | int]:
        """Requests, throughput and latency percentiles in milliseconds."""
        return {
            "requests": self.requests,
            "failures": self.failures,
            "seconds": round(self.seconds, 2),
            "throughput_per_s": round(self.requests / self.seconds, 1),
            "p50_ms": round(percentile(self.latencies, 50) * 1000, 1),
            "p99_ms": round(percentile(self.latencies, 99) * 1000, 1),
        }


def percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(pct / 100 * len(ordered)) - 1)]


def served_app() -> FastAPI:
    """The API as the subprocess serves it, configured from its environment."""
    from appraisal_engine.appraisal.run_api import build_app
    from appraisal_engine.appraisal.settings import Settings

    return build_app(Settings())


def service_env(database_url: str, temporal_address: str, queue: str) -> dict[str, str]:
    """The environment of the API and of the extra workers: the bench's database, server and
    queue."""
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "TEMPORAL_ADDRESS": temporal_address,
        "TASK_QUEUE": queue,
        "JWT_SECRET": SECRET,
        "JWT_ISSUER": ISSUER,
        "JWT_AUDIENCE": AUDIENCE,
        "PAYLOAD_KEYS": "",
        "SESSION_SECRET": SECRET,
    }


def start_api(
    port: int, database_url: str, temporal_address: str, queue: str
) -> subprocess.Popen[bytes]:
    """uvicorn with the app in a process of its own, without access logs."""
    env = service_env(database_url, temporal_address, queue)
    app = "bench.api:served_app"
    command = [sys.executable, "-m", "uvicorn", "--factory", app, "--port", str(port)]
    command += ["--host", "127.0.0.1", "--no-access-log", "--log-level", "warning"]
    return subprocess.Popen(command, env=env, cwd=Path(__file__).resolve().parent.parent)


def start_worker(
    database_url: str, temporal_address: str, queue: str, *, sandboxed: bool
) -> subprocess.Popen[bytes]:
    """One more worker, as `appraisal worker` runs it in production: its own process, client
    and database engine, polling the same queue; no notice sender, as the bench's own worker."""
    env = service_env(database_url, temporal_address, queue)
    env |= {"WORKFLOW_SANDBOX": str(sandboxed).lower(), "NOTICE_SENDER": "false"}
    command = [str(Path(sys.executable).with_name("appraisal")), "worker"]
    return subprocess.Popen(
        command,
        env=env,
        cwd=Path(__file__).resolve().parent.parent,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


async def wait_ready(http: httpx.AsyncClient) -> None:
    """Until the API answers /readyz with 200."""
    for _ in range(300):
        try:
            if (await http.get("/readyz")).status_code == 200:
                return
        except httpx.TransportError:
            pass
        await asyncio.sleep(0.1)
    raise RuntimeError("the API did not become ready")


async def to_step(
    client: Client, queue: str, n: int, supervisors: int, kind: TaskKind
) -> list[Step]:
    """Start n appraisals and answer every task before the first of `kind`; those tasks open."""
    year_start = datetime.now(UTC) - timedelta(days=366)
    run = uuid.uuid4().hex[:6]
    gate = asyncio.Semaphore(50)
    actors = Actors(NATIONAL)

    def first(state: AppraisalState) -> TaskRecord | None:
        return next(
            (t for t in state.tasks if t.kind is kind and t.status is TaskStatus.OPEN), None
        )

    async def idle(_: AppraisalState) -> None:
        await asyncio.sleep(0.1)

    async def one(i: int) -> Step:
        inp = AppraisalInput(
            employee_nip=person(1985, i),
            unit_code="BENCH",
            position_level=PositionLevel.PELAKSANA,
            supervisor_nip=person(1975, i % supervisors),
            superior_nip=SUPERIOR,
            policy=NATIONAL,
            year_start=year_start,
        )
        async with gate:
            handle = await client.start_workflow(
                AppraisalWorkflow.run, inp, id=f"appraisal-bench-{run}-{i}", task_queue=queue
            )
            state = await drive_year(
                handle, Actors(NATIONAL), idle, until=lambda s: first(s) is not None
            )
        task = first(state)
        assert task is not None
        body = actors.body(task, state)
        assert body is not None
        return Step(handle.id, task, body, i)

    return list(await asyncio.gather(*(one(i) for i in range(n))))


async def timed(groups: Sequence[Sequence[T]], complete: Callable[[T], Awaitable[bool]]) -> Figures:
    """Each group completed one after another, all groups at once."""
    latencies: list[float] = []
    failures = 0

    async def one_after_another(mine: Sequence[T]) -> None:
        nonlocal failures
        for item in mine:
            began = time.perf_counter()
            ok = await complete(item)
            latencies.append(time.perf_counter() - began)
            failures += not ok

    began = time.perf_counter()
    await asyncio.gather(*(one_after_another(mine) for mine in groups))
    count = sum(len(g) for g in groups)
    return Figures(count, time.perf_counter() - began, latencies, failures)


def in_groups(items: Sequence[T], concurrency: int) -> list[list[T]]:
    """`concurrency` groups (fewer when there are fewer items), dealt in turn."""
    return [list(items[k::concurrency]) for k in range(min(concurrency, len(items)))]


def by_person(steps: Sequence[Step], concurrency: int) -> list[list[Step]]:
    """The steps in `concurrency` groups as the set-up dealt them: a review's group is its
    supervisor's (the supervisor of appraisal i is the (i mod concurrency)-th)."""
    groups: dict[int, list[Step]] = {}
    for step in steps:
        groups.setdefault(step.index % concurrency, []).append(step)
    return list(groups.values())


REFERENCES = {
    "trivial": "trivial workflow update",
    "after_activity": "same, after an activity",
    "after_local_activity": "same, after a local activity",
    "running_after_activity": "after an activity, workflow left running",
    "running_after_local_activity": "after a local activity, workflow left running",
}


async def reference_updates(
    client: Client, n: int, concurrency: int, meter: CpuMeter, shape: str = "trivial"
) -> tuple[Figures, dict[str, float]]:
    """n reference workflows each sent one update of `shape` (REFERENCES), at the same
    concurrency as the tasks, with a worker of their own in the stock sandbox; starting them is
    not timed. `Flagged`'s updates set its flag (the trivial update), or set it once an activity,
    or a local activity, that does nothing is done; `Written`'s are the same two shapes (as
    bench.round_trips times them one at a time) on a workflow that goes on running."""
    queue = f"bench-ref-{uuid.uuid4().hex[:6]}"
    run = uuid.uuid4().hex[:6]
    gate = asyncio.Semaphore(50)
    # Flagged returns once its flag is set, so each of its updates also completes its workflow,
    # as the trivial reference does; Written keeps running (as an appraisal does after a step)
    # until told to stop, after the timing.
    reference: type[Flagged] | type[Written] = Written if shape.startswith("running") else Flagged
    update: Callable[[WorkflowHandle[Any, Any]], Awaitable[Any]] = {
        "trivial": lambda h: h.execute_update(Flagged.set_flag),
        "after_activity": lambda h: h.execute_update(Flagged.set_after_activity),
        "after_local_activity": lambda h: h.execute_update(Flagged.set_after_local_activity),
        "running_after_activity": lambda h: h.execute_update(Written.after_activity, 0.0),
        "running_after_local_activity": lambda h: h.execute_update(
            Written.after_local_activity, 0.0
        ),
    }[shape]

    async def start(i: int) -> WorkflowHandle[Any, Any]:
        async with gate:
            return await client.start_workflow(
                reference.run, id=f"bench-ref-{run}-{i}", task_queue=queue
            )

    async def send(handle: WorkflowHandle[Any, Any]) -> bool:
        return bool(await update(handle))

    # The trivial update's worker has no activities, as before the other shapes were added.
    activities = [] if shape == "trivial" else [write_nothing]
    async with Worker(client, task_queue=queue, workflows=[reference], activities=activities):
        handles = list(await asyncio.gather(*(start(i) for i in range(n))))
        await asyncio.sleep(SETTLE_S)  # every first workflow task done, the worker idle
        before = meter.read()
        figures = await timed(in_groups(handles, concurrency), send)
        cpu = meter.per_request(before, figures.requests)
        for handle in handles:
            if reference is Written:
                await handle.signal(Written.stop)  # after the timing: Written waits for it
            await handle.result()
    return figures, cpu


async def main(
    appraisals: int,
    concurrency: int,
    kind: TaskKind,
    as_json: bool,
    *,
    sandboxed: bool = False,
    database_server: str | None = None,
    workers: int = 1,
) -> dict[str, Any]:
    """Set up on a fresh file-backed dev server, then time both halves and the references; the
    read model in SQLite beside it, or in a new database on `database_server` (PostgreSQL)."""
    async with contextlib.AsyncExitStack() as stack:
        tmp = stack.enter_context(tempfile.TemporaryDirectory())
        url = await stack.enter_async_context(scratch_database(database_server, tmp))
        env = await start_dev_server(db_file=str(Path(tmp) / "temporal.db"))
        await upgrade(url)
        engine = make_engine(url)
        queue = f"bench-api-{uuid.uuid4().hex[:6]}"
        port = free_port()
        target = env.client.service_client.config.target_host
        api = start_api(port, url, target, queue)
        extra = [start_worker(url, target, queue, sandboxed=sandboxed) for _ in range(workers - 1)]
        limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
        try:
            async with (
                build_worker(env.client, queue, make_session_factory(engine), sandboxed=sandboxed),
                httpx.AsyncClient(
                    base_url=f"http://127.0.0.1:{port}", limits=limits, timeout=120
                ) as http,
            ):
                await wait_ready(http)
                others = {api.pid, *(w.pid for w in extra)}
                (server_pid,) = set(child_pids(os.getpid())) - others
                processes = {"worker_and_client": os.getpid(), "server": server_pid}
                processes |= {f"worker_{i}": w.pid for i, w in enumerate(extra, start=2)}
                meter = CpuMeter(processes | {"api": api.pid})
                tune_collector()  # as the worker process does once it is assembled
                began = time.perf_counter()
                steps = await to_step(env.client, queue, appraisals, concurrency, kind)
                setup = time.perf_counter() - began
                print(
                    f"set-up: {appraisals} appraisals at {kind.value} in {setup:.0f} s", flush=True
                )
                raw_half, api_half = steps[: appraisals // 2], steps[appraisals // 2 :]
                tokens = {
                    r.task.assignee_nip: mint_token(
                        AuthConfig(jwt_secret=SECRET, jwt_issuer=ISSUER, audience=AUDIENCE),
                        r.task.assignee_nip,
                    )
                    for r in api_half
                }
                for r in api_half:  # the API reads the inbox: each task must be there first
                    seen = await http.get(f"/v1/tasks/{r.task.id}", headers=auth(tokens, r))
                    assert seen.status_code == 200, seen.text

                async def raw(r: Step) -> bool:
                    handle = env.client.get_workflow_handle(r.appraisal_id)
                    inp = CompleteTaskInput(
                        task_id=r.task.id, actor_nip=r.task.assignee_nip, body=r.body
                    )
                    done = await handle.execute_update(AppraisalWorkflow.complete_task, inp)
                    return done.task.status is TaskStatus.DONE

                async def through_api(r: Step) -> bool:
                    answer = await http.post(
                        f"/v1/tasks/{r.task.id}/complete",
                        json=r.body.model_dump(mode="json"),
                        headers=auth(tokens, r),
                    )
                    return answer.status_code == 200

                # A quiet moment before each part: what the last updates set off (read-model
                # and audit writes after the reply) is not charged to the next.
                await asyncio.sleep(SETTLE_S)
                with Pauses() as pauses:
                    before = meter.read()
                    raw_figures = await timed(by_person(raw_half, concurrency), raw)
                    cpu = {"raw": meter.per_request(before, raw_figures.requests)}
                    await asyncio.sleep(SETTLE_S)
                    api_groups = by_person(api_half, concurrency)
                    before = meter.read()
                    api_figures = await timed(api_groups, through_api)
                    cpu["api"] = meter.per_request(before, api_figures.requests)
                references: dict[str, Figures] = {}
                for shape in REFERENCES:
                    await asyncio.sleep(SETTLE_S)
                    references[shape], cpu[shape] = await reference_updates(
                        env.client, len(api_half), len(api_groups), meter, shape
                    )
        finally:
            for process in (api, *extra):
                process.terminate()
                process.wait(timeout=30)
            await engine.dispose()
            await env.shutdown()
    result = report(
        raw_figures, api_figures, references, appraisals, len(api_groups), kind, sandboxed
    )
    result["database"] = "sqlite" if database_server is None else "postgresql"
    result["worker_gc"] = pauses.summary()
    result["cpu_ms_per_request"] = cpu
    result["workers"] = workers
    print(
        f"\nCPU ms per completion by process, while each part ran ({workers} appraisal "
        "worker(s); the first shares its process with the client, the trivial workflow's "
        "worker runs there too)"
    )
    names = list(cpu["raw"])
    print("| path | " + " | ".join(names) + " |")
    print("| --- " * (len(names) + 1) + "|")
    paths = (("raw", "raw Temporal update"), ("api", "API over HTTP"))
    for name, path in (*paths, *REFERENCES.items()):
        print(f"| {path} | " + " | ".join(str(cpu[name][n]) for n in names) + " |")
    print(
        f"read model: {result['database']}; the worker's process paused for its collector "
        f"{pauses.summary()['collections']} times while both halves ran, "
        f"{pauses.summary()['total_ms']} ms in all, the longest {pauses.summary()['longest_ms']} ms"
    )
    if as_json:
        print(json.dumps(result))
    return result


def auth(tokens: dict[str, str], r: Step) -> dict[str, str]:
    """The assignee's bearer header."""
    return {"Authorization": f"Bearer {tokens[r.task.assignee_nip]}"}


def ratio(a: dict[str, float | int], b: dict[str, float | int], key: str) -> float:
    """a's figure over b's."""
    return round(float(a[key]) / float(b[key]), 2)


def report(
    raw: Figures,
    api: Figures,
    references: dict[str, Figures],
    appraisals: int,
    concurrency: int,
    kind: TaskKind,
    sandboxed: bool,
) -> dict[str, Any]:
    """Print the table; return the same figures."""
    r, a = raw.summary(), api.summary()
    refs = {shape: f.summary() for shape, f in references.items()}
    t = refs["trivial"]
    # What the plainest update whose answer waits for an activity (or a local activity)
    # reaches against the trivial one: the most any step of that shape could reach.
    shapes = {
        shape: {"throughput": ratio(f, t, "throughput_per_s"), "p99": ratio(f, t, "p99_ms")}
        for shape, f in refs.items()
        if shape != "trivial"
    }
    figures: dict[str, Any] = {
        "throughput_ratio": ratio(a, r, "throughput_per_s"),
        "p99_ratio": ratio(a, r, "p99_ms"),
        "trivial_throughput_ratio": ratio(a, t, "throughput_per_s"),
        "trivial_p99_ratio": ratio(a, t, "p99_ms"),
        "shape_over_trivial": shapes,
    }
    worker = "sandboxed" if sandboxed else "unsandboxed"
    print(
        f"\n{kind.value} completions, {concurrency} at once, {appraisals} appraisals, "
        f"{worker} appraisal worker"
    )
    print("| path | requests | failures | throughput/s | p50 ms | p99 ms |")
    print("| --- | --- | --- | --- | --- | --- |")
    rows = (
        ("raw Temporal update", r),
        ("API over HTTP", a),
        *((REFERENCES[shape], f) for shape, f in refs.items()),
    )
    for name, f in rows:
        print(
            f"| {name} | {f['requests']} | {f['failures']} | {f['throughput_per_s']} "
            f"| {f['p50_ms']} | {f['p99_ms']} |"
        )
    print(f"API throughput / raw: {figures['throughput_ratio']} (target >= 0.7)")
    print(f"API p99 / raw p99: {figures['p99_ratio']} (target <= 2.0)")
    print(f"API throughput / trivial: {figures['trivial_throughput_ratio']} (target >= 0.5)")
    print(f"API p99 / trivial p99: {figures['trivial_p99_ratio']} (target <= 2.0)")
    for shape, over in shapes.items():
        print(f"{REFERENCES[shape]} / trivial: throughput {over['throughput']}, p99 {over['p99']}")
    return {
        "kind": kind.value,
        "sandboxed": sandboxed,
        "appraisals": appraisals,
        "concurrency": concurrency,
        "raw": r,
        "api": a,
        **refs,
        **figures,
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--appraisals", type=int, default=200, help="half raw, half through the API"
    )
    parser.add_argument("--concurrency", type=int, default=100, help="people at once")
    parser.add_argument(
        "--kind", choices=sorted(KINDS), default="review", help="the task completed"
    )
    parser.add_argument(
        "--sandboxed", action="store_true", help="the appraisals' workflows in the sandbox"
    )
    parser.add_argument(
        "--database-server",
        metavar="URL",
        help="the read model in a new database on this PostgreSQL server"
        " (e.g. postgresql+asyncpg://postgres@127.0.0.1:5432/postgres), dropped afterwards;"
        " SQLite when omitted",
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=1,
        help="appraisal workers on the queue: this process's, and the rest as `appraisal worker`"
        " processes",
    )
    parser.add_argument("--json", action="store_true", help="also print the figures as JSON")
    args = parser.parse_args()
    if not 2 <= args.appraisals <= 5000 or args.concurrency < 1 or args.workers < 1:
        parser.error("--appraisals must be 2-5000, --concurrency and --workers at least 1")
    kind = KINDS[args.kind]
    asyncio.run(
        main(
            args.appraisals,
            args.concurrency,
            kind,
            args.json,
            sandboxed=args.sandboxed,
            database_server=args.database_server,
            workers=args.workers,
        )
    )
