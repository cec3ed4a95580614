"""Peer privacy on every route that can tell who the peers are or what they answered, with
payload encryption on as in production: HR and auditors learn who the peers are, only auditors
what they answered; the employee, the supervisors, a peer (about the others) and anyone else
learn neither. One test per role walks every such route and names each leak it finds."""

from __future__ import annotations

import asyncio
import base64
import json
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment

from appraisal_engine.client.codec import data_converter, new_key, parse_keys
from appraisal_engine.domain.peer import PeerFeedback
from appraisal_engine.domain.presets import PRESETS
from appraisal_engine.domain.tasks import TaskKind
from appraisal_engine.simulator.scripted import PEERS, Actors
from appraisal_engine.workflows.appraisal.workflow import AppraisalWorkflow
from appraisal_engine.workflows.messages import AppraisalState, CompleteTaskInput, PeerFeedbackBody
from tests.api.conftest import Api, serving
from tests.api.test_access import SIGNED_IN
from tests.faults.checks import eventually
from tests.workflows.driver import appraisal_input

MARKER = f"rahasia-rekan-{uuid.uuid4().hex[:12]}"  # in every answer's comment
# Bukittinggi's survey: collaboration and communication.
ASKED = PRESETS["bukittinggi"].peer.aspects
QUESTIONS = {a.value for a in ASKED}
CALLERS = SIGNED_IN
# Who may learn which peers' NIPs, and who may read their answers.
KNOWS_PEERS = {"peer": {PEERS[0]}, "hr": set(PEERS), "auditor": set(PEERS)}
READS_ANSWERS = {"auditor"}


@dataclass
class Peered:
    """An appraisal whose first two peers answered and whose third still has the survey open."""

    api: Api
    appraisal_id: str
    unit: str
    answered: dict[str, str]  # peer NIP -> task id
    waiting: dict[str, str]
    stored: list[dict[str, Any]]  # every payload of its history as Temporal stores it


@pytest.fixture(scope="module")
async def peered(
    dev_env: WorkflowEnvironment,
    migrated_url: str,
    session_factory: async_sessionmaker[AsyncSession],
) -> AsyncIterator[Peered]:
    sealed = Client(
        dev_env.client.service_client,
        namespace=dev_env.client.namespace,
        data_converter=data_converter(parse_keys(new_key())),
    )
    async with serving(sealed, dev_env, migrated_url, session_factory) as api:
        yield await asyncio.wait_for(_peer_input(api, sealed), timeout=120)


async def _peer_input(api: Api, client: Client) -> Peered:
    policy = PRESETS["bukittinggi"]  # peer input: three peers, quorum two
    unit = f"U{uuid.uuid4().hex[:8].upper()}"
    appraisal_id = f"appraisal-privacy-{uuid.uuid4().hex[:8]}"
    year_start = datetime.now(UTC) - timedelta(days=366)  # every period is already due
    inp = appraisal_input(policy, unit_code=unit, year_start=year_start)
    handle = await client.start_workflow(
        AppraisalWorkflow.run, inp, id=appraisal_id, task_queue=api.task_queue
    )
    actors = Actors(policy)

    async def surveys() -> list[tuple[str, str]]:
        state: AppraisalState = await handle.query(AppraisalWorkflow.state)
        open_tasks = [t for t in state.tasks if t.status.value == "open"]
        peer_tasks = [
            (t.assignee_nip, t.id) for t in open_tasks if t.kind is TaskKind.PEER_FEEDBACK
        ]
        for task in [] if peer_tasks else open_tasks:
            body = actors.body(task)
            assert body is not None
            complete = CompleteTaskInput(task_id=task.id, actor_nip=task.assignee_nip, body=body)
            await handle.execute_update(AppraisalWorkflow.complete_task, complete)
        return peer_tasks

    tasks = dict(await eventually(surveys, bool, within=90, every=0.05, what="peer surveys"))
    assert sorted(tasks) == sorted(PEERS)
    answered = {p: tasks[p] for p in PEERS[:2]}
    for n, (peer, task_id) in enumerate(answered.items()):
        scores = {d: 1 + (n + i) % 5 for i, d in enumerate(ASKED)}
        answer = PeerFeedback(scores=scores, comment=f"{MARKER} dari rekan {n}")
        await handle.execute_update(
            AppraisalWorkflow.complete_task,
            CompleteTaskInput(
                task_id=task_id, actor_nip=peer, body=PeerFeedbackBody(answers=answer)
            ),
        )
    plain = Client(
        client.service_client, namespace=client.namespace, data_converter=pydantic_data_converter
    )
    history = await plain.get_workflow_handle(appraisal_id).fetch_history()
    stored = list(payloads_in(json.loads(history.to_json())))
    assert not any(MARKER in json.dumps(p) for p in stored)  # encrypted at rest
    waiting = {p: tasks[p] for p in PEERS[2:]}
    return Peered(api, appraisal_id, unit, answered, waiting, stored)


def payloads_in(value: Any) -> list[dict[str, Any]]:
    """Every payload of a history in Temporal's JSON, as the codec route takes them."""
    if isinstance(value, list):
        return [p for v in value for p in payloads_in(v)]
    if not isinstance(value, dict):
        return []
    if isinstance(value.get("metadata"), dict) and "encoding" in value["metadata"]:
        return [value]
    return [p for v in value.values() for p in payloads_in(v)]


def answers_in(value: Any) -> list[str]:
    """What of a peer's answers a decoded response holds: the comment, a score sheet, a mean."""
    if isinstance(value, str):
        found = ["comment"] if MARKER in value else []
        return found + (["a peer's mean"] if "survey (mean" in value else [])
    if isinstance(value, list):
        return [a for v in value for a in answers_in(v)]
    if not isinstance(value, dict):
        return []
    scores = value.get("scores")
    found = ["scores"] if isinstance(scores, dict) and set(scores) >= QUESTIONS else []
    return found + [a for v in value.values() for a in answers_in(v)]


def decoded(response: httpx.Response) -> list[Any]:
    """The JSON values inside a codec response's payloads."""
    values = []
    for p in response.json()["payloads"]:
        data = base64.b64decode(p.get("data", ""))
        try:
            values.append(json.loads(data))
        except ValueError:
            values.append(data.decode("latin-1"))
    return values


@dataclass
class Seen:
    """One route's answer to one caller."""

    route: str
    status: int
    text: str
    values: list[Any]  # the parsed body, and any payloads decoded from it


async def walk(w: Peered, caller: str) -> list[Seen]:
    """Every route that can reveal a peer's identity or answer, as `caller` sees it."""
    http, headers = w.api.http, CALLERS[caller]
    a = f"/v1/appraisals/{w.appraisal_id}"
    seen: list[Seen] = []

    async def get(route: str, **params: Any) -> httpx.Response:
        r = await http.get(route, params=params, headers=headers)
        text = f"{route} {params}" if params else route
        seen.append(Seen(text, r.status_code, r.text, [_json(r)]))
        return r

    async def decode(route: str, payloads: list[dict[str, Any]]) -> None:
        r = await http.post("/codec/decode", json={"payloads": payloads}, headers=headers)
        values = decoded(r) if r.status_code == 200 else []
        seen.append(Seen(route, r.status_code, r.text, values))

    await get(a)
    await get("/v1/appraisals")
    await get("/v1/appraisals", unit=w.unit)
    await get("/v1/appraisals", unit=w.unit, stage="peer_input")
    for peer in PEERS:
        await get("/v1/appraisals", unit=w.unit, assignee=peer)
    await get(f"{a}/history", limit=200)
    export = await get(f"{a}/history/export")
    if export.status_code == 200:
        await decode("the export's payloads through /codec/decode", payloads_in(export.json()))
    await decode("the stored payloads through /codec/decode", w.stored)
    for task_id in [*w.answered.values(), *w.waiting.values()]:
        await get(f"/v1/tasks/{task_id}")
    await get("/v1/tasks", kind="peer_feedback")
    for peer in PEERS:
        await get("/v1/tasks", assignee=peer)
    await get("/v1/audit/events", appraisal_id=w.appraisal_id, limit=200)
    return seen


def _json(r: httpx.Response) -> Any:
    try:
        return r.json()
    except ValueError:
        return r.text


@pytest.mark.parametrize("caller", list(CALLERS))
async def test_no_route_tells_a_caller_more_of_the_peers_than_their_role_allows(
    peered: Peered, caller: str
) -> None:
    seen = await walk(peered, caller)
    leaks = []
    for s in seen:
        if caller not in READS_ANSWERS and (found := answers_in(s.values)):
            leaks.append(f"{s.route}: {sorted(set(found))}")
        named = {p for p in PEERS if p in s.text or p in json.dumps(s.values)}
        if extra := named - KNOWS_PEERS.get(caller, set()):
            leaks.append(f"{s.route}: peers {sorted(extra)}")
    # Filtering by a peer must answer exactly as filtering by anyone else would.
    filtered = [s for s in seen if s.route.startswith("/v1/appraisals {'unit'")]
    by_assignee = [(s.status, s.text) for s in filtered if "assignee" in s.route]
    if caller not in ("hr", "auditor") and len(set(by_assignee)) > 1:
        leaks.append(f"/v1/appraisals?assignee= answers differently per peer: {by_assignee}")
    assert leaks == [], "\n".join(leaks)

    routes = {s.route: s for s in seen}
    view = routes[f"/v1/appraisals/{peered.appraisal_id}"]
    history = routes[f"/v1/appraisals/{peered.appraisal_id}/history {{'limit': 200}}"]
    if caller == "auditor":  # the answers are there to be hidden: the scan above can see them
        # (The view shows them once the survey closes; the third peer's is still open.)
        for s in (history, *(s for s in seen if "/codec/decode" in s.route)):
            assert answers_in(s.values), s.route
    if caller in ("hr", "auditor"):  # who answered, and when
        entries = history.values[0]["entries"]
        said = [e for e in entries if e["kind"] == TaskKind.PEER_FEEDBACK.value]
        assert sorted(e["actor_nip"] for e in said) == sorted(peered.answered)
        assert all(e["at"] for e in said)
        assert set(PEERS) <= {p for p in PEERS if p in view.text}
