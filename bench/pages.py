"""Page-time benchmark: the web app's busiest pages with a city's year in the database, beside the
API's list route measured in the same run.

    .venv/bin/python -m bench.pages [--employees 20000] [--requests 200] [--json]

Set-up, not timed, on a fresh file-backed dev server with a worker in this process:
- a generated city of `--employees` (offices, heads, section heads and staff) stored as a
  roster snapshot and launched as a real cycle under the national preset: every appraisal
  is a running workflow with its row in the read model;
- scripted people then plan the year down one branch of the tree, through the same workflow
  updates the pages send: the offices' heads, the regional head, the section head with the
  most staff and those staff draft and approve, until every one of that section head's staff
  has sent a plan, so the section head's inbox holds an approval for each of them;
- the last year's rows, as a city in its second year holds them: one finished appraisal per
  employee with five closed tasks each, added to the read model directly (history the pages
  must skip, never show).

The app runs as deployed: uvicorn in a process of its own (`appraisal api`'s application).
Each person's session cookie is signed with the app's secret, as signing in would leave it.

Timed: `--requests` requests one after another per route (so each figure is the server's time
plus a local round trip, never queueing behind other requests), after ten to warm up:
- the section head's inbox (/tasks) and my team (/team);
- my team of the head of the largest office;
- the cycle's dashboard (/hr/cycles/{id}) as HR;
- GET /v1/appraisals?cycle_id=...&limit=50 as HR: the API's list route;
- the Temporal reference: a query of a trivial waiting workflow (stock sandbox, its own worker
  in this process, same server), one after another from this process: the plainest read of a
  running workflow, which the dashboard makes one of.
Reports p50, p95 and p99 for each, each page's p95 against the 100 ms target, and each route's
p95 as a multiple of the trivial query's.
`--routes inbox,dashboard` times only the routes whose names hold one of the words (the
reference is always timed)."""

from __future__ import annotations

import argparse
import asyncio
import json
import secrets
import time
from base64 import b64encode
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from itsdangerous import TimestampSigner
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio.client import Client
from temporalio.worker import Worker

from appraisal_engine.api.auth import mint_token
from appraisal_engine.api.config import AuthConfig
from appraisal_engine.api.roles import Role
from appraisal_engine.appraisal.worker import build_worker
from appraisal_engine.client.starters import launch_cycle
from appraisal_engine.domain.employee import Employee, PositionLevel
from appraisal_engine.domain.presets import NATIONAL
from appraisal_engine.domain.records import (
    AppraisalRecord,
    AppraisalStatus,
    TaskRecord,
    TaskStatus,
)
from appraisal_engine.domain.stages import Stage
from appraisal_engine.domain.tasks import TaskKind
from appraisal_engine.simulator.inbox import answer_tasks, open_tasks
from appraisal_engine.simulator.roster import generate_roster
from appraisal_engine.simulator.scripted import REGIONAL_HEAD, Actors, nip
from appraisal_engine.store.db import make_engine, make_session_factory
from appraisal_engine.store.migrate import upgrade
from appraisal_engine.store.models import AppraisalRow, TaskRow
from appraisal_engine.store.repositories._rows import insert_missing, row_values, table_of
from appraisal_engine.store.repositories.rosters import add_roster
from appraisal_engine.web.app import SESSION_COOKIE
from bench.api import AUDIENCE, ISSUER, SECRET, percentile, start_api, wait_ready
from bench.stack import BENCH_POLICY, file_backed_server, free_port
from bench.trivial import Waiting

ORG, YEAR = "kota-bench", 2026
HR = nip(1, born="19700101")
TARGET_MS = 100.0
WARM_UP = 10


def session_cookie(person: str, roles: list[Role]) -> str:
    """The session cookie the app would set when `person` signs in (the bench holds the app's
    secret, as the app does)."""
    data = {"nip": person, "roles": sorted(roles), "csrf": secrets.token_urlsafe(32)}
    signed = TimestampSigner(SECRET).sign(b64encode(json.dumps(data).encode()))
    return f"{SESSION_COOKIE}={signed.decode()}"


def last_year(
    city: list[Employee], now: datetime
) -> tuple[list[AppraisalRecord], list[TaskRecord]]:
    """Each employee's finished appraisal of the year before, with five closed tasks."""
    cycle = f"{ORG}-{YEAR - 1}"
    appraisals, tasks = [], []
    boss = {e.nip: e.supervisor_nip for e in city}
    for e in city:
        record = AppraisalRecord(
            id=f"appraisal-{cycle}-{e.nip}",
            cycle_id=cycle,
            employee_nip=e.nip,
            unit_code=e.unit_code,
            supervisor_nip=e.supervisor_nip or REGIONAL_HEAD,
            superior_nip=boss.get(e.supervisor_nip) if e.supervisor_nip else None,
            policy="national",
            stage=Stage.DONE,
            status=AppraisalStatus.COMPLETED,
            updated_at=now - timedelta(days=60),
        )
        appraisals.append(record)
        steps = [
            (TaskKind.TARGETS_DRAFT, e.nip),
            (TaskKind.TARGETS_APPROVE, record.supervisor_nip),
            (TaskKind.SELF_REPORT, e.nip),
            (TaskKind.FEEDBACK, record.supervisor_nip),
            (TaskKind.REVIEW, record.supervisor_nip),
        ]
        for n, (kind, who) in enumerate(steps):
            due = now - timedelta(days=400 - 60 * n)
            tasks.append(
                TaskRecord(
                    id=f"{record.id}-{n}",
                    appraisal_id=record.id,
                    cycle_id=cycle,
                    employee_nip=e.nip,
                    kind=kind,
                    assignee_nip=who or REGIONAL_HEAD,
                    status=TaskStatus.DONE,
                    opened_at=due - timedelta(days=14),
                    due_at=due,
                    closed_at=due - timedelta(days=2),
                    completed_by=who,
                )
            )
    return appraisals, tasks


async def rows_of(sessions: async_sessionmaker[AsyncSession], cycle_id: str) -> int:
    """How many appraisal rows the read model holds for the cycle."""
    async with sessions() as session:
        query = select(func.count()).where(table_of(AppraisalRow).c.cycle_id == cycle_id)
        return int((await session.execute(query)).scalar_one())


async def launch(
    client: Client, sessions: async_sessionmaker[AsyncSession], city: list[Employee], queue: str
) -> str:
    """Store the roster and launch the year; returns the cycle id once every appraisal's row
    is in the read model."""
    async with sessions() as session, session.begin():
        await add_roster(session, f"{ORG}-roster", ORG, city, checksum="bench")
    cycle = await launch_cycle(
        client, org=ORG, year=YEAR, roster_id=f"{ORG}-roster", policy=BENCH_POLICY, task_queue=queue
    )
    cycle_id = cycle.id.removeprefix("cycle-")
    # The read model, not the cycle's query: under the launch's load a query may time out.
    for _ in range(1800):
        if await rows_of(sessions, cycle_id) >= len(city):
            return cycle_id
        await asyncio.sleep(2)
    raise RuntimeError("the launch did not finish within an hour")


async def plan_down_to(
    client: Client,
    sessions: async_sessionmaker[AsyncSession],
    cycle_id: str,
    city: list[Employee],
    section_head: str,
) -> int:
    """Plan the year along the branch above `section_head` until each of their staff has sent
    a plan: the approvals waiting in the section head's inbox."""
    boss = {e.nip: e.supervisor_nip for e in city}
    branch, up = {REGIONAL_HEAD}, boss.get(section_head)
    while up:
        branch.add(up)
        up = boss.get(up)
    staff = {e.nip for e in city if e.supervisor_nip == section_head}
    branch |= staff | {section_head}
    actors = Actors(NATIONAL)

    def body_for(task: TaskRecord) -> Any:
        if task.assignee_nip == section_head and task.kind is TaskKind.TARGETS_APPROVE:
            return None  # left for the page
        return actors.body(task) if task.assignee_nip in branch else None

    for _ in range(600):
        waiting = [t for t in await open_tasks(sessions, cycle_id) if t.assignee_nip in branch]
        approvals = [
            t
            for t in waiting
            if t.assignee_nip == section_head and t.kind is TaskKind.TARGETS_APPROVE
        ]
        if len(approvals) >= len(staff):
            return len(approvals)
        await answer_tasks(client, waiting, body_for)
        await asyncio.sleep(0.5)
    raise RuntimeError("the section head's staff did not all send their plans")


async def timed(http: httpx.AsyncClient, path: str, headers: dict[str, str], n: int) -> list[float]:
    """`n` requests one after another, after a warm-up; each one's seconds."""
    for _ in range(WARM_UP):
        r = await http.get(path, headers=headers)
        if r.status_code != 200:
            raise RuntimeError(f"{path} answered {r.status_code}")
    latencies = []
    for _ in range(n):
        began = time.perf_counter()
        r = await http.get(path, headers=headers)
        latencies.append(time.perf_counter() - began)
        if r.status_code != 200:
            raise RuntimeError(f"{path} answered {r.status_code}")
    return latencies


async def timed_query(client: Client, queue: str, n: int) -> list[float]:
    """`n` queries of a trivial waiting workflow one after another, after a warm-up."""
    async with Worker(client, task_queue=queue, workflows=[Waiting]):
        handle = await client.start_workflow(
            Waiting.run, id=f"bench-pages-waiting-{secrets.token_hex(4)}", task_queue=queue
        )
        try:
            for _ in range(WARM_UP):
                await handle.query(Waiting.state)
            latencies = []
            for _ in range(n):
                began = time.perf_counter()
                await handle.query(Waiting.state)
                latencies.append(time.perf_counter() - began)
            return latencies
        finally:
            await handle.terminate("bench over")


def figures(latencies: list[float]) -> dict[str, float]:
    """p50, p95 and p99 in milliseconds."""
    return {f"p{p}_ms": round(percentile(latencies, p) * 1000, 1) for p in (50, 95, 99)}


async def main(
    employees: int, requests: int, as_json: bool, only: list[str] | None = None
) -> dict[str, Any]:
    """Set up, serve, time each route, report."""
    city = generate_roster(employees, seed=11)
    staff = Counter(e.supervisor_nip for e in city if e.supervisor_nip)
    heads = {e.nip for e in city if e.position_level is PositionLevel.JPT}
    section_head = max((n for n in staff if n not in heads), key=lambda n: staff[n])
    office_head = max(heads, key=lambda n: staff[n])
    auth = AuthConfig(jwt_secret=SECRET, jwt_issuer=ISSUER, audience=AUDIENCE)
    queue = "bench-pages"
    async with file_backed_server() as (env, tmp):
        url = f"sqlite+aiosqlite:///{tmp}/bench.db"
        await upgrade(url)
        engine = make_engine(url)
        sessions = make_session_factory(engine)
        try:
            async with build_worker(env.client, queue, sessions, sandboxed=False):
                began = time.perf_counter()
                cycle_id = await launch(env.client, sessions, city, queue)
                print(f"set-up: launched {employees} in {time.perf_counter() - began:.0f} s")
                approvals = await plan_down_to(env.client, sessions, cycle_id, city, section_head)
                print(f"set-up: {approvals} plans await the section head's approval")
                old, old_tasks = last_year(city, datetime.now(UTC))
                async with sessions() as session, session.begin():
                    await insert_missing(
                        session, table_of(AppraisalRow), [row_values(a) for a in old]
                    )
                    await insert_missing(
                        session, table_of(TaskRow), [row_values(t) for t in old_tasks]
                    )
                print(f"set-up: last year's {len(old)} appraisals and {len(old_tasks)} tasks")
                routes = [
                    ("page: inbox (section head)", "/tasks", session_cookie(section_head, [])),
                    ("page: my team (section head)", "/team", session_cookie(section_head, [])),
                    ("page: my team (head of office)", "/team", session_cookie(office_head, [])),
                    (
                        "page: cycle dashboard (HR)",
                        f"/hr/cycles/{cycle_id}",
                        session_cookie(HR, [Role.HR]),
                    ),
                ]
                headers = [(name, path, {"Cookie": cookie}) for name, path, cookie in routes]
                token = mint_token(auth, HR, [Role.HR])
                headers.append(
                    (
                        "API: list appraisals (HR, 50)",
                        f"/v1/appraisals?cycle_id={cycle_id}&limit=50",
                        {"Authorization": f"Bearer {token}"},
                    )
                )
                if only:
                    headers = [h for h in headers if any(w in h[0] for w in only)]
                port = free_port()
                target = env.client.service_client.config.target_host
                api = start_api(port, url, target, queue)
                try:
                    base = f"http://127.0.0.1:{port}"
                    async with httpx.AsyncClient(base_url=base, timeout=60) as http:
                        await wait_ready(http)
                        results = {
                            name: figures(await timed(http, path, h, requests))
                            for name, path, h in headers
                        }
                    reference = figures(await timed_query(env.client, f"{queue}-ref", requests))
                finally:
                    api.terminate()
                    api.wait(timeout=30)
                await env.client.get_workflow_handle(f"cycle-{cycle_id}").terminate("bench over")
        finally:
            await engine.dispose()
    result = {
        "employees": employees,
        "requests": requests,
        "section_head_staff": staff[section_head],
        "office_head_reports": staff[office_head],
        "routes": results,
        "temporal_reference": reference,
    }
    print(f"\n{employees} appraisals this year, {employees} last year; {requests} requests a route")
    print("| route | p50 ms | p95 ms | p99 ms | p95 within 100 ms | p95 / trivial query's |")
    print("| --- | --- | --- | --- | --- | --- |")
    ref = reference["p95_ms"]
    for name, f in results.items():
        within = "yes" if f["p95_ms"] <= TARGET_MS else "NO"
        times = f"{f['p95_ms'] / ref:.1f}x" if ref else "-"
        print(f"| {name} | {f['p50_ms']} | {f['p95_ms']} | {f['p99_ms']} | {within} | {times} |")
    print(
        f"| Temporal: query of a trivial workflow | {reference['p50_ms']} | {ref} "
        f"| {reference['p99_ms']} | | 1.0x |"
    )
    if as_json:
        print(json.dumps(result))
    return result


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--employees", type=int, default=20000)
    parser.add_argument("--requests", type=int, default=200, help="timed requests per route")
    parser.add_argument("--json", action="store_true", help="also print the figures as JSON")
    parser.add_argument(
        "--routes", default="", help="comma-separated words: time only the routes naming one"
    )
    args = parser.parse_args()
    if not 10 <= args.employees <= 50_000 or args.requests < 1:
        parser.error("--employees must be 10-50000 and --requests at least 1")
    words = [w.strip() for w in args.routes.split(",") if w.strip()]
    asyncio.run(main(args.employees, args.requests, args.json, words or None))
