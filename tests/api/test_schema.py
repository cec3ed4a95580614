"""The API against its own OpenAPI document: generated requests to every route, first as an
employee with open tasks, then as HR with the auditor role, on the real dev server with a real
worker. No response may be a 5xx, and every one must be documented: its status, its media type,
its body's schema, its headers.

The app runs under uvicorn in a thread with an event loop of its own, beside the worker; the
generated requests are plain synchronous HTTP from the test. Path parameters are often swapped
for ids that exist (a roster, a launched cycle, its appraisals, the employee's tasks), so the
requests reach the workflows and not only the 404s."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
import uuid
import zlib
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests
import schemathesis
import uvicorn
from hypothesis import settings
from schemathesis.checks import positive_data_acceptance
from schemathesis.config import SchemathesisConfig
from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment

from appraisal_engine.api.app import create_app
from appraisal_engine.api.config import ApiConfig
from appraisal_engine.api.roles import Role
from appraisal_engine.appraisal.worker import build_worker
from appraisal_engine.simulator.roster import generate_roster, roster_csv
from appraisal_engine.store.db import make_engine, make_session_factory
from tests.api.conftest import AUTH, bearer
from tests.workflows.cycle_driver import HR, POLICY

EXAMPLES_PER_ROUTE = 20
# Seeded, so a failure found once is found again on the next run. The bearer token is the
# test's to give (a valid one, per caller), not a generated header to mutate.
CONFIG = SchemathesisConfig.from_dict(
    {"seed": 2026, "generation": {"with-security-parameters": False}}
)
# The app's own document; building the app touches neither Temporal nor the database.
schema = schemathesis.openapi.from_dict(
    create_app(ApiConfig(database_url="sqlite+aiosqlite://", auth=AUTH)).openapi(), config=CONFIG
)
# Requests go to a real server and workflows: their time is not the generator's to judge.
RUN = settings(max_examples=EXAMPLES_PER_ROUTE, deadline=None)


@dataclass
class Served:
    """The app listening on localhost, who to call it as, and ids that exist."""

    base_url: str
    employee: str
    known: dict[str, list[str]]


class Stack:
    """A worker and the app under uvicorn, on one event loop in a thread of their own: the test
    itself is synchronous, and a Temporal client only works on the loop that made it."""

    def __init__(self, temporal_address: str, database_url: str) -> None:
        self.temporal_address = temporal_address
        self.database_url = database_url
        self.queue = f"tq-schema-{uuid.uuid4().hex[:8]}"
        self.socket = socket.socket()
        self.socket.bind(("127.0.0.1", 0))
        self.base_url = f"http://127.0.0.1:{self.socket.getsockname()[1]}"
        self.ready: Future[tuple[asyncio.AbstractEventLoop, asyncio.Event]] = Future()
        self.thread = threading.Thread(target=self._run, name="api-under-test", daemon=True)

    def __enter__(self) -> Stack:
        self.thread.start()
        self.ready.result(timeout=60)
        return self

    def __exit__(self, *_: object) -> None:
        loop, stop = self.ready.result()
        if self.thread.is_alive():
            loop.call_soon_threadsafe(stop.set)
            self.thread.join(timeout=60)
        self.socket.close()

    def _run(self) -> None:
        try:
            asyncio.run(self._serve())
        except BaseException as e:
            if not self.ready.done():
                self.ready.set_exception(e)
            raise

    async def _serve(self) -> None:
        client = await Client.connect(self.temporal_address, data_converter=pydantic_data_converter)
        engine = make_engine(self.database_url)
        # No client passed: the app's lifespan connects its own, as in production.
        config = ApiConfig(
            database_url=self.database_url,
            temporal_address=self.temporal_address,
            task_queue=self.queue,
            auth=AUTH,
        )
        server = uvicorn.Server(
            uvicorn.Config(create_app(config), log_level="warning", lifespan="on")
        )
        stop = asyncio.Event()
        async with build_worker(client, self.queue, make_session_factory(engine)):
            serving = asyncio.create_task(server.serve(sockets=[self.socket]))
            for _ in range(600):
                if server.started or serving.done():
                    break
                await asyncio.sleep(0.05)
            if not server.started:
                raise RuntimeError("the app did not start")
            self.ready.set_result((asyncio.get_running_loop(), stop))
            await stop.wait()
            server.should_exit = True
            await serving
        await engine.dispose()


def eventually(probe: Callable[[], list[str]], what: str) -> list[str]:
    """The probe's answer once it is not empty."""
    for _ in range(200):
        found = probe()
        if found:
            return found
        time.sleep(0.05)
    raise AssertionError(f"{what} never appeared")


def seed(base_url: str) -> Served:
    """A roster and a launched cycle, through the API; the ids that exist afterwards."""
    hr = bearer(HR, Role.HR)
    employees = generate_roster(4, units=1, seed=7)
    org = f"kota-{uuid.uuid4().hex[:6]}"
    files = {"file": ("roster.csv", roster_csv(employees), "text/csv")}
    r = requests.post(f"{base_url}/v1/rosters", data={"org": org}, files=files, headers=hr)
    assert r.status_code == 201, r.text
    roster_id = r.json()["id"]
    launch = {
        "year": 2030,
        "roster_id": roster_id,
        "policy": POLICY.model_dump(mode="json"),
        "year_start": (datetime.now(UTC) - timedelta(days=366)).isoformat(),
    }
    r = requests.post(f"{base_url}/v1/cycles", json=launch, headers=hr)
    assert r.status_code == 202, r.text
    cycle_id = r.json()["cycle_id"]

    def appraisals() -> list[str]:
        r = requests.get(f"{base_url}/v1/appraisals", params={"cycle_id": cycle_id}, headers=hr)
        items = r.json()["items"]
        return [a["id"] for a in items] if len(items) == len(employees) else []

    def tasks_of(nip: str) -> Callable[[], list[str]]:
        def probe() -> list[str]:
            r = requests.get(f"{base_url}/v1/tasks", params={"status": "open"}, headers=bearer(nip))
            return [t["id"] for t in r.json()["items"]]

        return probe

    appraisal_ids = eventually(appraisals, "the cycle's appraisals")
    head = employees[0].nip  # the unit's head: the first with a task, since targets cascade
    task_ids = eventually(tasks_of(head), "the head's first task")
    return Served(
        base_url=base_url,
        employee=head,
        known={
            "roster_id": [roster_id],
            "cycle_id": [cycle_id],
            "appraisal_id": appraisal_ids,
            "task_id": task_ids,
        },
    )


@pytest.fixture(scope="module")
def served(dev_env: WorkflowEnvironment, migrated_url: str) -> Iterator[Served]:
    """The stack on the session's dev server and database, seeded, for the whole module."""
    target = dev_env.client.service_client.config.target_host
    with Stack(target, migrated_url) as stack:
        yield seed(stack.base_url)


def with_real_ids(case: schemathesis.Case[Any], known: dict[str, list[str]]) -> None:
    """Swap two in three generated ids for ones that exist, chosen from the generated value
    itself, so that Hypothesis replays and shrinks the same request."""
    parameters = case.path_parameters or {}
    for name, value in parameters.items():
        pick = zlib.crc32(str(value).encode())
        if name in known and pick % 3:
            parameters[name] = known[name][pick % len(known[name])]


def call(case: schemathesis.Case[Any], served: Served, caller: str) -> None:
    """Send the case, often with real ids in its path, and validate the answer."""
    with_real_ids(case, served.known)
    headers = bearer(HR, Role.HR, Role.AUDITOR) if caller == "hr" else bearer(caller)
    # A body can be schema-valid and still wrong, and then 422 is the documented answer: a roster
    # file's content, a NIP's date parts, text that is blank once trimmed, a body of another
    # task's kind, a deadline already past, a policy whose parts disagree. The schema cannot say
    # these, so valid-looking bodies are not required to be accepted; query and path parameters
    # still are.
    excluded: list[Any] = [positive_data_acceptance] if case.operation.body else []
    case.call_and_validate(base_url=served.base_url, headers=headers, excluded_checks=excluded)


@schema.parametrize()
@RUN
def test_as_an_employee(case: schemathesis.Case[Any], served: Served) -> None:
    call(case, served, served.employee)


@schema.parametrize()
@RUN
def test_as_hr_and_auditor(case: schemathesis.Case[Any], served: Served) -> None:
    call(case, served, "hr")
