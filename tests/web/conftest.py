"""Web fixtures: the API's app with the web app installed, over a real worker on the dev
server, and a browser-like HTTP client per person (its own cookie jar)."""

from __future__ import annotations

import asyncio
import re
import uuid
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from dataclasses import dataclass

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment

from appraisal_engine.api.app import create_app
from appraisal_engine.api.config import ApiConfig
from appraisal_engine.api.roles import Role
from appraisal_engine.appraisal.dev_demo import AUDITOR
from appraisal_engine.appraisal.worker import build_worker
from appraisal_engine.domain.policy import Policy
from appraisal_engine.domain.presets import NATIONAL
from appraisal_engine.domain.records import TaskStatus
from appraisal_engine.domain.tasks import TaskKind
from appraisal_engine.simulator.scripted import APPEALS_OFFICER, EMPLOYEE, HR, SUPERVISOR
from appraisal_engine.store.repositories.tasks import list_tasks
from appraisal_engine.web.app import install
from appraisal_engine.web.config import DevPerson, WebConfig
from appraisal_engine.workflows.appraisal.workflow import AppraisalWorkflow
from tests.api.conftest import AUTH
from tests.workflows.driver import appraisal_input

PEOPLE = [
    DevPerson(nip=HR, label="HR officer (BKPSDM)", roles=[Role.HR]),
    DevPerson(nip=AUDITOR, label="Auditor (Inspektorat)", roles=[Role.AUDITOR]),
    DevPerson(nip=SUPERVISOR, label="Head of office (appraiser)"),
    DevPerson(nip=EMPLOYEE, label="Staff member"),
    DevPerson(nip=APPEALS_OFFICER, label="Appeals officer"),
]
WEB = WebConfig(
    session_secret="web-test-secret-of-at-least-32-bytes",
    secure_cookies=False,
    dev_signin=True,
    dev_people=PEOPLE,
)
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def form_token(html: str) -> str:
    """The form token a page carries."""
    found = TOKEN.search(html)
    assert found, "the page has no form token"
    return found.group(1)


@dataclass
class Web:
    """The app under test, its worker's task queue, and a signed-in client per person."""

    app: FastAPI
    env: WorkflowEnvironment
    task_queue: str
    sessions: async_sessionmaker[AsyncSession]
    stack: AsyncExitStack

    def anonymous(self) -> httpx.AsyncClient:
        """A client with no session yet."""
        transport = httpx.ASGITransport(app=self.app)
        return httpx.AsyncClient(transport=transport, base_url="http://web")

    async def signed_in(self, nip: str) -> httpx.AsyncClient:
        """A client signed in as `nip` through the development sign-in page."""
        client = await self.stack.enter_async_context(self.anonymous())
        page = await client.get("/signin")
        r = await client.post(
            "/signin", data={"nip": nip, "csrf_token": form_token(page.text), "next": "/tasks"}
        )
        assert r.status_code == 303, r.text
        return client


@pytest.fixture
async def web(
    dev_env: WorkflowEnvironment,
    migrated_url: str,
    session_factory: async_sessionmaker[AsyncSession],
) -> AsyncIterator[Web]:
    """The app with its lifespan running and a worker on a fresh task queue."""
    queue = f"tq-{uuid.uuid4()}"
    app = install(
        create_app(
            ApiConfig(database_url=migrated_url, task_queue=queue, auth=AUTH), client=dev_env.client
        ),
        WEB,
    )
    async with AsyncExitStack() as stack:
        await stack.enter_async_context(build_worker(dev_env.client, queue, session_factory))
        await stack.enter_async_context(app.router.lifespan_context(app))
        yield Web(app, dev_env, queue, session_factory, stack)


async def start_appraisal(
    client: Client, task_queue: str, policy: Policy = NATIONAL, **changes: object
) -> str:
    """A fresh standalone appraisal of EMPLOYEE under `policy` (the national one); its id."""
    appraisal_id = f"appraisal-web-{uuid.uuid4().hex[:8]}"
    await client.start_workflow(
        AppraisalWorkflow.run,
        appraisal_input(policy, **changes),
        id=appraisal_id,
        task_queue=task_queue,
    )
    return appraisal_id


async def open_task(
    sessions: async_sessionmaker[AsyncSession], who: str, appraisal_id: str, kind: TaskKind
) -> str:
    """The id of `who`'s open task of `kind` on the appraisal, once the inbox has it."""
    for _ in range(200):
        async with sessions() as session:
            found = await list_tasks(session, assignee_nip=who, status=TaskStatus.OPEN, limit=500)
        ids = [t.id for t in found if t.appraisal_id == appraisal_id and t.kind is kind]
        if ids:
            return ids[0]
        await asyncio.sleep(0.05)
    raise AssertionError(f"no open {kind} task for {who}")
