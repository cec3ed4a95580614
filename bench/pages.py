"""Page-time benchmark: the web app's busiest pages with a city's year in the database, beside the
API's list route measured in the same run.

    .venv/bin/python -m bench.pages [--employees 20000] [--requests 200] [--json]

Set-up, not timed: a generated city of `--employees` (offices, heads, section heads and staff),
stored as a roster snapshot; one running appraisal per employee in the read model, each with
three finished tasks and one open self-report (a tenth of them overdue) and, for each section
head, an open feedback task per person they appraise. The app runs as deployed: uvicorn in a
process of its own (`appraisal api`'s application), over a file-backed dev server. Each person's
session cookie is signed with the app's secret, as signing in would leave it.

Timed: `--requests` requests one after another per route (so each figure is the server's time
plus a local round trip, never queueing behind other requests), after ten to warm up:
- the inbox (/tasks) and my team (/team) of the section head with the most staff;
- my team of the head of the largest office (the page shows up to 200);
- GET /v1/appraisals?cycle_id=... as HR (50 a page): the API's list route, the reference.
Reports p50, p95 and p99 for each, and each page's p95 against the 100 ms target."""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import secrets
import time
from base64 import b64encode
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from itsdangerous import TimestampSigner

from appraisal_engine.api.auth import Role, mint_token
from appraisal_engine.api.config import AuthConfig
from appraisal_engine.domain.employee import Employee, PositionLevel
from appraisal_engine.domain.records import (
    AppraisalRecord,
    AppraisalStatus,
    TaskRecord,
    TaskStatus,
)
from appraisal_engine.domain.stages import Stage
from appraisal_engine.domain.tasks import TaskKind
from appraisal_engine.simulator.roster import generate_roster
from appraisal_engine.simulator.scripted import nip
from appraisal_engine.store.db import make_engine, make_session_factory
from appraisal_engine.store.migrate import upgrade
from appraisal_engine.store.models import AppraisalRow, TaskRow
from appraisal_engine.store.repositories._rows import insert_missing, row_values, table_of
from appraisal_engine.store.repositories.rosters import add_roster
from appraisal_engine.web.app import SESSION_COOKIE
from bench.api import AUDIENCE, ISSUER, SECRET, percentile, start_api, wait_ready
from bench.stack import file_backed_server, free_port

CYCLE = "kota-bench-2026"
HR = nip(1, born="19700101")
TARGET_MS = 100.0
WARM_UP = 10


def session_cookie(person: str, roles: list[Role]) -> str:
    """The session cookie the app would set when `person` signs in (the bench holds the app's
    secret, as the app does)."""
    data = {"nip": person, "roles": sorted(roles), "csrf": secrets.token_urlsafe(32)}
    signed = TimestampSigner(SECRET).sign(b64encode(json.dumps(data).encode()))
    return f"{SESSION_COOKIE}={signed.decode()}"


def task_of(
    appraisal: AppraisalRecord,
    kind: TaskKind,
    assignee: str,
    status: TaskStatus,
    due: datetime,
    period: int,
) -> TaskRecord:
    """One inbox row of the appraisal; a closed one was done two days before its deadline."""
    return TaskRecord(
        id=f"{appraisal.id}-{kind.value}-{period}",
        appraisal_id=appraisal.id,
        cycle_id=CYCLE,
        employee_nip=appraisal.employee_nip,
        kind=kind,
        assignee_nip=assignee,
        status=status,
        opened_at=due - timedelta(days=30),
        due_at=due,
        closed_at=None if status is TaskStatus.OPEN else due - timedelta(days=2),
        completed_by=None if status is TaskStatus.OPEN else assignee,
        period=period,
    )


def read_model(
    city: list[Employee], now: datetime
) -> tuple[list[AppraisalRecord], list[TaskRecord]]:
    """One running appraisal per employee and its tasks, as a year half done leaves them."""
    rng = random.Random(7)
    boss = {e.nip: e.supervisor_nip for e in city}
    appraisals: list[AppraisalRecord] = []
    tasks: list[TaskRecord] = []
    for e in city:
        appraisal_id = f"appraisal-{CYCLE}-{e.nip}"
        supervisor = e.supervisor_nip
        appraisals.append(
            AppraisalRecord(
                id=appraisal_id,
                cycle_id=CYCLE,
                employee_nip=e.nip,
                unit_code=e.unit_code,
                supervisor_nip=supervisor,
                superior_nip=boss.get(supervisor) if supervisor else None,
                policy="national",
                stage=Stage.MONITORING,
                status=AppraisalStatus.RUNNING,
                updated_at=now,
            )
        )

        if supervisor is None:
            continue
        overdue = rng.random() < 0.1
        due = now + (timedelta(days=-3) if overdue else timedelta(days=rng.randint(1, 30)))
        steps = [
            (TaskKind.TARGETS_DRAFT, e.nip, TaskStatus.DONE, now - timedelta(days=150), 0),
            (TaskKind.SELF_REPORT, e.nip, TaskStatus.DONE, now - timedelta(days=60), 1),
            (TaskKind.FEEDBACK, supervisor, TaskStatus.DONE, now - timedelta(days=50), 1),
            (TaskKind.SELF_REPORT, e.nip, TaskStatus.OPEN, due, 2),
            (TaskKind.FEEDBACK, supervisor, TaskStatus.OPEN, due + timedelta(days=7), 2),
        ]
        tasks += [task_of(appraisals[-1], *step) for step in steps]
    return appraisals, tasks


async def seed(url: str, city: list[Employee]) -> None:
    """The roster snapshot and the read model, in bulk."""
    await upgrade(url)
    engine = make_engine(url)
    appraisals, tasks = read_model(city, datetime.now(UTC))
    try:
        async with make_session_factory(engine)() as session, session.begin():
            await add_roster(session, "kota-bench-roster", "kota-bench", city, "bench")
            await insert_missing(
                session, table_of(AppraisalRow), [row_values(a) for a in appraisals]
            )
            await insert_missing(session, table_of(TaskRow), [row_values(t) for t in tasks])
    finally:
        await engine.dispose()
    print(f"set-up: {len(appraisals)} appraisals and {len(tasks)} tasks stored", flush=True)


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


def figures(latencies: list[float]) -> dict[str, float]:
    """p50, p95 and p99 in milliseconds."""
    return {f"p{p}_ms": round(percentile(latencies, p) * 1000, 1) for p in (50, 95, 99)}


async def main(employees: int, requests: int, as_json: bool) -> dict[str, Any]:
    """Seed, serve, time each route, report."""
    city = generate_roster(employees, seed=11)
    staff = Counter(e.supervisor_nip for e in city if e.supervisor_nip)
    heads = {e.nip for e in city if e.position_level is PositionLevel.JPT}
    section_head = max((n for n in staff if n not in heads), key=lambda n: staff[n])
    largest_office_head = max(heads, key=lambda n: sum(1 for e in city if e.supervisor_nip == n))
    auth = AuthConfig(jwt_secret=SECRET, jwt_issuer=ISSUER, audience=AUDIENCE)
    routes = [
        ("page: inbox (section head)", "/tasks", {"Cookie": session_cookie(section_head, [])}),
        ("page: my team (section head)", "/team", {"Cookie": session_cookie(section_head, [])}),
        (
            "page: my team (head of office)",
            "/team",
            {"Cookie": session_cookie(largest_office_head, [])},
        ),
        (
            "API: list appraisals (HR, 50)",
            f"/v1/appraisals?cycle_id={CYCLE}&limit=50",
            {"Authorization": f"Bearer {mint_token(auth, HR, [Role.HR])}"},
        ),
    ]
    async with file_backed_server() as (env, tmp):
        url = f"sqlite+aiosqlite:///{tmp}/bench.db"
        await seed(url, city)
        port = free_port()
        target = env.client.service_client.config.target_host
        api = start_api(port, url, target, "bench-pages")
        try:
            async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=60) as http:
                await wait_ready(http)
                results = {
                    name: figures(await timed(http, path, headers, requests))
                    for name, path, headers in routes
                }
        finally:
            api.terminate()
            api.wait(timeout=30)
    result = {
        "employees": employees,
        "requests": requests,
        "section_head_staff": staff[section_head],
        "routes": results,
    }
    print(f"\n{employees} appraisals; {requests} sequential requests per route")
    print("| route | p50 ms | p95 ms | p99 ms | p95 within 100 ms |")
    print("| --- | --- | --- | --- | --- |")
    for name, f in results.items():
        within = "yes" if f["p95_ms"] <= TARGET_MS else "NO"
        print(f"| {name} | {f['p50_ms']} | {f['p95_ms']} | {f['p99_ms']} | {within} |")
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
    args = parser.parse_args()
    if not 10 <= args.employees <= 200_000 or args.requests < 1:
        parser.error("--employees must be 10-200000 and --requests at least 1")
    asyncio.run(main(args.employees, args.requests, args.json))
