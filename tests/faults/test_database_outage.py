"""The read model's database goes away (a proxy in front of PostgreSQL is cut: open connections
break, new ones are refused) first during a cycle's launch, then during a supervisor's
submission. Meanwhile the API answers 503 with a problem body; the activities retry with
backoff; once the database is back the launch and the submission complete, each exactly once.

PostgreSQL is the database that can go away on its own (production runs on it); the test runs
on DATABASE_URL's server when that is PostgreSQL, else on the local one, and is skipped when
none can be reached."""

from __future__ import annotations

import asyncio
import contextlib
import os
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from sqlalchemy.engine import make_url
from temporalio.client import WorkflowHandle

from appraisal_engine.api.app import create_app
from appraisal_engine.api.config import ApiConfig
from appraisal_engine.api.roles import Role
from appraisal_engine.client.starters import launch_cycle
from appraisal_engine.domain.records import TaskStatus
from appraisal_engine.domain.tasks import TaskKind
from appraisal_engine.simulator.roster import generate_roster, roster_csv
from appraisal_engine.simulator.scripted import Actors
from appraisal_engine.store.migrate import upgrade
from appraisal_engine.store.repositories.audit_verify import verify_chain
from appraisal_engine.workflows.appraisal.workflow import AppraisalWorkflow
from appraisal_engine.workflows.cycle import CycleWorkflow
from appraisal_engine.workflows.ids import cycle_id
from appraisal_engine.workflows.messages import CompleteTaskInput
from tests.api.conftest import AUTH, bearer
from tests.faults.checks import appraisal_runs, audit_kinds, eventually, inbox, store_roster
from tests.faults.conftest import Stack, open_stack, own_postgres_database
from tests.faults.proxy import TcpProxy
from tests.workflows.cycle_driver import POLICY

pytestmark = [pytest.mark.slow, pytest.mark.faults]

LOCAL_POSTGRES = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
HR = "197001011995031001"


@pytest.fixture
async def postgres_url() -> AsyncIterator[str]:
    """A fresh, migrated PostgreSQL database of this test's own."""
    configured = os.environ.get("DATABASE_URL", "")
    server = configured if configured.startswith("postgresql") else LOCAL_POSTGRES
    async with own_postgres_database(server) as url:
        if url is None:
            pytest.skip(f"no PostgreSQL server to take away at {make_url(server).host}")
        await upgrade(url)
        yield url


@pytest.fixture
async def proxy(postgres_url: str) -> AsyncIterator[TcpProxy]:
    """The plug to pull: a proxy in front of the test's database server."""
    url = make_url(postgres_url)
    opened = TcpProxy(url.host or "127.0.0.1", url.port or 5432)
    await opened.start()
    yield opened
    await opened.cut()


async def test_the_year_waits_for_the_database_and_loses_nothing(
    tmp_path: Path, postgres_url: str, proxy: TcpProxy
) -> None:
    proxied = make_url(postgres_url).set(host="127.0.0.1", port=proxy.port)
    proxied_url = proxied.render_as_string(hide_password=False)
    async with (
        open_stack(tmp_path, postgres_url, worker_database_url=proxied_url) as stack,
        _api(stack, proxied_url) as http,
    ):
        await asyncio.wait_for(_outages(stack, proxy, http), timeout=240)


@contextlib.asynccontextmanager
async def _api(stack: Stack, database_url: str) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(ApiConfig(database_url=database_url, auth=AUTH), client=stack.client)
    transport = httpx.ASGITransport(app=app)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://api") as http,
    ):
        yield http


async def _outages(stack: Stack, proxy: TcpProxy, http: httpx.AsyncClient) -> None:
    employees = generate_roster(6, units=1, seed=11)
    head = next(e for e in employees if e.supervisor_nip is None)
    org, year = f"kota-{uuid.uuid4().hex[:6]}", 2033
    roster_id = await store_roster(stack.sessions, org, employees)
    assert (await http.get("/v1/tasks", headers=bearer(head.nip))).status_code == 200

    # 1. The database goes away before the launch reads the roster.
    await proxy.cut()
    cycle = await launch_cycle(
        stack.client,
        org=org,
        year=year,
        roster_id=roster_id,
        policy=POLICY,
        task_queue=stack.task_queue,
        year_start=datetime.now(UTC),
    )
    attempts = await eventually(
        lambda: _pending_attempts(cycle),
        lambda n: n >= 3,
        within=60,
        what="the launch's first activity retrying",
    )
    assert attempts >= 3
    await _answers_503(http, head.nip)
    assert (await cycle.query(CycleWorkflow.status)).launched == 0

    await proxy.restore()
    await eventually(
        lambda: cycle.query(CycleWorkflow.status),
        lambda s: s.launch_done and s.launched == len(employees),
        within=90,
        what="the launch finishing once the database is back",
    )
    runs = await eventually(  # visibility may trail the last starts by a moment
        lambda: appraisal_runs(stack.client, cycle_id(org, year)),
        lambda r: len(r) >= len(employees),
        within=30,
    )
    assert len(runs) == len(employees) and set(runs.values()) == {1}  # each started once
    await eventually(
        lambda: _open_drafts(http, head.nip),
        lambda ids: len(ids) == 1,
        within=60,
        what="the head's target draft in the inbox",
    )

    # 2. The database goes away while the head submits: the update waits for it.
    task = next(t for t in await inbox(stack.sessions) if t.assignee_nip == head.nip)
    body = Actors(POLICY).body(task)
    assert body is not None
    await proxy.cut()
    submitting = asyncio.ensure_future(
        stack.client.get_workflow_handle(task.appraisal_id).execute_update(
            AppraisalWorkflow.complete_task,
            CompleteTaskInput(task_id=task.id, actor_nip=head.nip, body=body),
        )
    )
    await asyncio.sleep(8)
    assert not submitting.done(), "the submission finished while its writes could not be made"
    await _answers_503(http, head.nip)
    await proxy.restore()
    await asyncio.wait_for(submitting, timeout=90)

    # Exactly one effect: the task done once, one completion in the audit chain, intact.
    rows = {t.id: t for t in await inbox(stack.sessions)}
    assert rows[task.id].status is TaskStatus.DONE
    completions = [
        p
        for kind, appraisal, p in await audit_kinds(stack.sessions)
        if kind == "task.completed" and p.get("task_id") == task.id
    ]
    assert len(completions) == 1, completions
    async with stack.sessions() as session:
        verified = await verify_chain(session)
    assert verified.ok, verified
    r = await http.get("/v1/tasks", headers=bearer(head.nip), params={"status": "open"})
    assert r.status_code == 200 and task.id not in {t["id"] for t in r.json()["items"]}


async def _pending_attempts(cycle: WorkflowHandle[CycleWorkflow, object]) -> int:
    pending = (await cycle.describe()).raw_description.pending_activities
    return max((p.attempt for p in pending if p.last_failure.message), default=0)


async def _open_drafts(http: httpx.AsyncClient, nip: str) -> list[str]:
    r = await http.get("/v1/tasks", headers=bearer(nip), params={"status": "open"})
    if r.status_code != 200:
        return []
    return [t["id"] for t in r.json()["items"] if t["kind"] == TaskKind.TARGETS_DRAFT.value]


async def _answers_503(http: httpx.AsyncClient, nip: str) -> None:
    """Reads and writes that need the database: a 503 problem, never a 500 or a traceback."""
    calls = [
        http.get("/v1/tasks", headers=bearer(nip)),
        http.get("/v1/appraisals", headers=bearer(HR, Role.HR)),
        http.post(
            "/v1/rosters",
            headers=bearer(HR, Role.HR),
            data={"org": "kota-lain"},
            files={"file": ("roster.csv", roster_csv(generate_roster(3, seed=2)), "text/csv")},
        ),
    ]
    for r in await asyncio.gather(*calls):
        assert r.status_code == 503, (r.request.method, r.request.url, r.status_code, r.text)
        assert r.headers["content-type"] == "application/problem+json"
        assert r.headers["retry-after"] == "5"
        assert "Traceback" not in r.text
    ready = await http.get("/readyz")
    assert ready.status_code == 503 and "database" in ready.json()["detail"]
