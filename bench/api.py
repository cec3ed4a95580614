"""API latency benchmark: supervisors complete review tasks through the HTTP API, beside the same
updates sent straight to Temporal, in one run on the file-backed dev server.

    .venv/bin/python -m bench.api [--appraisals 200] [--concurrency 100] [--json]

Set-up, not timed: N standalone appraisals with their year started a year ago (every report
period is due) are driven by scripted actors until each one's review task is open. Timed: half
of the reviews completed with the Temporal client (`execute_update`, the raw reference), then the
other half as POST /v1/tasks/{id}/complete over real HTTP to uvicorn in a subprocess (the API
process, as deployed: its own Temporal client and database engine). The worker runs in this
process for both halves. `--concurrency` supervisors work at once, each completing its own
reviews one after another. Reports requests, throughput, p50 and p99 for both, and the ratios."""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI
from temporalio.client import Client

from appraisal_engine.api.auth import mint_token
from appraisal_engine.api.config import AuthConfig
from appraisal_engine.appraisal.servers import start_dev_server
from appraisal_engine.appraisal.worker import build_worker
from appraisal_engine.domain.employee import PositionLevel
from appraisal_engine.domain.presets import NATIONAL
from appraisal_engine.domain.ratings import Rating
from appraisal_engine.domain.records import TaskRecord, TaskStatus
from appraisal_engine.domain.tasks import TaskKind
from appraisal_engine.simulator.scripted import Actors, drive_year, nip, review
from appraisal_engine.store.db import make_engine, make_session_factory
from appraisal_engine.store.migrate import upgrade
from appraisal_engine.workflows.appraisal.workflow import AppraisalWorkflow
from appraisal_engine.workflows.messages import (
    AppraisalInput,
    AppraisalState,
    CompleteTaskInput,
    ReviewBody,
)
from bench.stack import free_port

SECRET = "bench-secret-of-at-least-32-bytes-long"
ISSUER = "appraisal-bench"
AUDIENCE = "appraisal"
SUPERIOR = nip(1, born="19650115")
SETTLE_S = 3.0


def person(born_year: int, i: int) -> str:
    """The i-th fictional NIP of a generation: 999 per birth year."""
    return nip(i % 999 + 1, born=f"{born_year + i // 999}0115")


@dataclass
class Review:
    """An open review task and the supervisor who completes it."""

    appraisal_id: str
    task: TaskRecord


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


def start_api(
    port: int, database_url: str, temporal_address: str, queue: str
) -> subprocess.Popen[bytes]:
    """uvicorn with the app in a process of its own, without access logs."""
    env = {
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
    app = "bench.api:served_app"
    command = [sys.executable, "-m", "uvicorn", "--factory", app, "--port", str(port)]
    command += ["--host", "127.0.0.1", "--no-access-log", "--log-level", "warning"]
    return subprocess.Popen(command, env=env, cwd=Path(__file__).resolve().parent.parent)


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


async def to_review(client: Client, queue: str, n: int, supervisors: int) -> list[Review]:
    """Start n appraisals and answer every task before the review; their open reviews."""
    year_start = datetime.now(UTC) - timedelta(days=366)
    run = uuid.uuid4().hex[:6]
    gate = asyncio.Semaphore(50)

    def reviewing(state: AppraisalState) -> bool:
        return any(t.kind is TaskKind.REVIEW and t.status is TaskStatus.OPEN for t in state.tasks)

    async def idle(_: AppraisalState) -> None:
        await asyncio.sleep(0.1)

    async def one(i: int) -> Review:
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
            state = await drive_year(handle, Actors(NATIONAL), idle, until=reviewing)
        task = next(
            t for t in state.tasks if t.kind is TaskKind.REVIEW and t.status is TaskStatus.OPEN
        )
        return Review(handle.id, task)

    return list(await asyncio.gather(*(one(i) for i in range(n))))


async def timed(reviews: list[Review], complete: Callable[[Review], Awaitable[bool]]) -> Figures:
    """Each supervisor completes their reviews one after another, all supervisors at once."""
    by_supervisor: dict[str, list[Review]] = {}
    for r in reviews:
        by_supervisor.setdefault(r.task.assignee_nip, []).append(r)
    latencies: list[float] = []
    failures = 0

    async def supervisor(mine: list[Review]) -> None:
        nonlocal failures
        for r in mine:
            began = time.perf_counter()
            ok = await complete(r)
            latencies.append(time.perf_counter() - began)
            failures += not ok

    began = time.perf_counter()
    await asyncio.gather(*(supervisor(mine) for mine in by_supervisor.values()))
    return Figures(len(reviews), time.perf_counter() - began, latencies, failures)


async def main(appraisals: int, concurrency: int, as_json: bool) -> dict[str, Any]:
    """Set up on a fresh file-backed dev server, then time both halves."""
    body = ReviewBody(review=review(Rating.MEETS, Rating.MEETS))  # what Actors would send
    with tempfile.TemporaryDirectory() as tmp:
        env = await start_dev_server(db_file=str(Path(tmp) / "temporal.db"))
        url = f"sqlite+aiosqlite:///{tmp}/bench.db"
        await upgrade(url)
        engine = make_engine(url)
        queue = f"bench-api-{uuid.uuid4().hex[:6]}"
        port = free_port()
        target = env.client.service_client.config.target_host
        api = start_api(port, url, target, queue)
        limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
        try:
            async with (
                build_worker(env.client, queue, make_session_factory(engine)),
                httpx.AsyncClient(
                    base_url=f"http://127.0.0.1:{port}", limits=limits, timeout=120
                ) as http,
            ):
                await wait_ready(http)
                began = time.perf_counter()
                reviews = await to_review(env.client, queue, appraisals, concurrency)
                setup = time.perf_counter() - began
                print(f"set-up: {appraisals} appraisals at review in {setup:.0f} s", flush=True)
                raw_half, api_half = reviews[: appraisals // 2], reviews[appraisals // 2 :]
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

                async def raw(r: Review) -> bool:
                    handle = env.client.get_workflow_handle(r.appraisal_id)
                    inp = CompleteTaskInput(
                        task_id=r.task.id, actor_nip=r.task.assignee_nip, body=body
                    )
                    done = await handle.execute_update(AppraisalWorkflow.complete_task, inp)
                    return done.task.status is TaskStatus.DONE

                async def through_api(r: Review) -> bool:
                    answer = await http.post(
                        f"/v1/tasks/{r.task.id}/complete",
                        json=body.model_dump(mode="json"),
                        headers=auth(tokens, r),
                    )
                    return answer.status_code == 200

                # A quiet moment before each half: what the last updates set off (read-model
                # and audit writes after the reply) is not charged to the next half.
                await asyncio.sleep(SETTLE_S)
                raw_figures = await timed(raw_half, raw)
                await asyncio.sleep(SETTLE_S)
                api_figures = await timed(api_half, through_api)
        finally:
            api.terminate()
            api.wait(timeout=30)
            await engine.dispose()
            await env.shutdown()
    result = report(raw_figures, api_figures, appraisals, concurrency)
    if as_json:
        print(json.dumps(result))
    return result


def auth(tokens: dict[str, str], r: Review) -> dict[str, str]:
    """The supervisor's bearer header."""
    return {"Authorization": f"Bearer {tokens[r.task.assignee_nip]}"}


def report(raw: Figures, api: Figures, appraisals: int, concurrency: int) -> dict[str, Any]:
    """Print the table; return the same figures."""
    r, a = raw.summary(), api.summary()
    throughput = round(float(a["throughput_per_s"]) / float(r["throughput_per_s"]), 2)
    p99 = round(float(a["p99_ms"]) / float(r["p99_ms"]), 2)
    print(f"\nreview completions, {concurrency} concurrent supervisors, {appraisals} appraisals")
    print("| path | requests | failures | throughput/s | p50 ms | p99 ms |")
    print("| --- | --- | --- | --- | --- | --- |")
    for name, f in (("raw Temporal update", r), ("API over HTTP", a)):
        print(
            f"| {name} | {f['requests']} | {f['failures']} | {f['throughput_per_s']} "
            f"| {f['p50_ms']} | {f['p99_ms']} |"
        )
    print(f"API throughput / raw: {throughput} (target >= 0.7)")
    print(f"API p99 / raw p99: {p99} (target <= 2.0)")
    return {
        "appraisals": appraisals,
        "concurrency": concurrency,
        "raw": r,
        "api": a,
        "throughput_ratio": throughput,
        "p99_ratio": p99,
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--appraisals", type=int, default=200, help="half raw, half through the API"
    )
    parser.add_argument("--concurrency", type=int, default=100, help="supervisors at once")
    parser.add_argument("--json", action="store_true", help="also print the figures as JSON")
    args = parser.parse_args()
    if not 2 <= args.appraisals <= 5000 or args.concurrency < 1:
        parser.error("--appraisals must be 2-5000 and --concurrency at least 1")
    asyncio.run(main(args.appraisals, args.concurrency, args.json))
