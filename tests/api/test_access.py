"""The authorisation matrix: every route, every role and relationship, each status asserted.
Allowed callers are sent requests the workflow refuses (or that change nothing), so the matrix
runs against one appraisal; the cancellation that would change it comes last."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from appraisal_engine.api.roles import Role
from appraisal_engine.domain.presets import NATIONAL, PRESETS
from appraisal_engine.domain.ratings import Rating
from appraisal_engine.domain.records import TaskRecord, TaskStatus
from appraisal_engine.domain.tasks import TaskKind
from appraisal_engine.simulator.roster import generate_roster, roster_csv
from appraisal_engine.simulator.scripted import (
    EMPLOYEE,
    PEERS,
    SUPERIOR,
    SUPERVISOR,
    Actors,
    nip,
    review,
)
from appraisal_engine.workflows.appraisal.workflow import AppraisalWorkflow
from appraisal_engine.workflows.messages import CompleteTaskInput, ReviewBody
from tests.api.conftest import Api, bearer, token
from tests.faults.checks import eventually
from tests.workflows.driver import appraisal_input

HR = "197001012000011001"
AUDITOR = "197502022001122001"
OTHER = nip(90)
SIGNED_IN: dict[str, dict[str, str]] = {
    "self": bearer(EMPLOYEE),
    "supervisor": bearer(SUPERVISOR),
    "superior": bearer(SUPERIOR),
    "peer": bearer(PEERS[0]),
    "other": bearer(OTHER),
    "hr": bearer(HR, Role.HR),
    "auditor": bearer(AUDITOR, Role.AUDITOR),
}
CALLERS: dict[str, dict[str, str]] = {
    **SIGNED_IN,
    "no token": {},
    "bad token": {"Authorization": f"Bearer {token(EMPLOYEE)[:-4]}AAAA"},
}


def row(
    self: int, supervisor: int, superior: int, peer: int, other: int, hr: int, auditor: int
) -> dict[str, int]:
    """Expected statuses per caller; no token and a bad token are always 401."""
    return {
        "self": self,
        "supervisor": supervisor,
        "superior": superior,
        "peer": peer,
        "other": other,
        "hr": hr,
        "auditor": auditor,
        "no token": 401,
        "bad token": 401,
    }


@dataclass
class World:
    """One appraisal waiting for the employee's target draft, and what surrounds it."""

    appraisal_id: str
    draft_task_id: str
    unit: str
    roster_id: str


@pytest.fixture
async def world(api: Api) -> AsyncIterator[World]:
    unit = f"U{uuid.uuid4().hex[:8].upper()}"
    appraisal_id = f"appraisal-matrix-{uuid.uuid4().hex[:8]}"
    inp = appraisal_input(NATIONAL, unit_code=unit)
    await api.env.client.start_workflow(
        AppraisalWorkflow.run, inp, id=appraisal_id, task_queue=api.task_queue
    )
    draft = await wait_for_task(api, EMPLOYEE, appraisal_id)
    roster = roster_csv(generate_roster(3, units=1, seed=11))
    files = {"file": ("roster.csv", roster, "text/csv")}
    r = await api.http.post(
        "/v1/rosters", data={"org": "kota-matrix"}, files=files, headers=CALLERS["hr"]
    )
    assert r.status_code == 201, r.text
    yield World(appraisal_id, draft, unit, r.json()["id"])


async def wait_for_task(api: Api, who: str, appraisal_id: str) -> str:
    """The id of `who`'s first open task on the appraisal, once the inbox has it."""
    for _ in range(100):
        r = await api.http.get("/v1/tasks", params={"status": "open"}, headers=bearer(who))
        found = [t["id"] for t in r.json()["items"] if t["appraisal_id"] == appraisal_id]
        if found:
            return str(found[0])
        await asyncio.sleep(0.05)
    raise AssertionError("the task never reached the inbox")


def routes(w: World) -> list[tuple[str, str, dict[str, Any], dict[str, int]]]:
    """(method, path, request keyword arguments, expected status per caller)."""
    a, t = f"/v1/appraisals/{w.appraisal_id}", f"/v1/tasks/{w.draft_task_id}"
    past = (datetime.now(UTC) - timedelta(days=1)).isoformat()
    roster = roster_csv(generate_roster(3, units=1, seed=11))
    upload = {"data": {"org": "kota-matrix"}, "files": {"file": ("r.csv", roster, "text/csv")}}
    # A valid body of the wrong kind: only the assignee gets far enough to hear so.
    wrong_kind = {
        "json": ReviewBody(review=review(Rating.MEETS, Rating.MEETS)).model_dump(mode="json")
    }
    soon = (datetime.now(UTC) + timedelta(days=30)).date().isoformat()
    plan = {"json": {"items": [{"kind": "technical", "course": "Diklat", "due_on": soon}]}}
    return [
        ("GET", a, {}, row(200, 200, 200, 404, 404, 200, 200)),
        ("GET", "/v1/appraisals/appraisal-nobody", {}, row(404, 404, 404, 404, 404, 404, 404)),
        ("GET", f"{a}/history", {}, row(200, 404, 404, 404, 404, 200, 200)),
        ("GET", f"{a}/history/export", {}, row(403, 403, 403, 403, 403, 200, 200)),
        (
            "GET",
            "/v1/appraisals",
            {"params": {"unit": w.unit}},
            row(200, 200, 200, 200, 200, 200, 200),
        ),
        # Who holds open tasks where is for HR and auditors: it would name the peers.
        (
            "GET",
            "/v1/appraisals",
            {"params": {"assignee": EMPLOYEE}},
            row(403, 403, 403, 403, 403, 200, 200),
        ),
        (
            "POST",
            f"{a}/appeal",
            {"json": {"reason": "nilai tidak sesuai bukti"}},
            row(409, 403, 403, 404, 404, 403, 403),
        ),
        (
            "POST",
            f"{a}/reassign",
            {"json": {"supervisor_nip": EMPLOYEE, "reason": "mutasi"}},
            row(403, 403, 403, 403, 403, 422, 403),
        ),
        (
            "POST",
            f"{a}/deadline",
            {"json": {"task_id": w.draft_task_id, "due_at": past, "reason": "cuti"}},
            row(403, 403, 403, 403, 403, 422, 403),
        ),
        ("POST", f"{a}/cancel", {"json": {}}, row(403, 403, 403, 403, 403, 422, 403)),
        ("GET", "/v1/tasks", {}, row(200, 200, 200, 200, 200, 200, 200)),
        (
            "GET",
            "/v1/tasks",
            {"params": {"assignee": EMPLOYEE}},
            row(200, 403, 403, 403, 403, 200, 200),
        ),
        ("GET", t, {}, row(200, 404, 404, 404, 404, 200, 200)),
        ("GET", "/v1/tasks/task-nobody", {}, row(404, 404, 404, 404, 404, 404, 404)),
        ("POST", f"{t}/complete", wrong_kind, row(422, 404, 404, 404, 404, 403, 403)),
        ("POST", "/v1/rosters", upload, row(403, 403, 403, 403, 403, 201, 403)),
        ("GET", f"/v1/rosters/{w.roster_id}", {}, row(403, 403, 403, 403, 403, 200, 200)),
        ("GET", "/v1/rosters/nobody", {}, row(403, 403, 403, 403, 403, 404, 404)),
        (
            "GET",
            f"/v1/rosters/{w.roster_id}/employees",
            {},
            row(403, 403, 403, 403, 403, 200, 200),
        ),
        ("GET", "/v1/rosters/nobody/employees", {}, row(403, 403, 403, 403, 403, 404, 404)),
        (
            "POST",
            "/v1/cycles",
            {"json": {"year": 2031, "roster_id": "nobody", "policy": "national"}},
            row(403, 403, 403, 403, 403, 404, 403),
        ),
        ("GET", "/v1/cycles", {}, row(403, 403, 403, 403, 403, 200, 200)),
        ("GET", "/v1/cycles/kota-nobody-2031", {}, row(403, 403, 403, 403, 403, 404, 404)),
        (
            "GET",
            "/v1/cycles/kota-nobody-2031/grades.csv",
            {},
            row(403, 403, 403, 403, 403, 404, 404),
        ),
        (
            "POST",
            "/v1/cycles/kota-nobody-2031/calibration",
            {"json": {"unit_code": w.unit, "unit_rating": "baik"}},
            row(403, 403, 403, 403, 403, 404, 403),
        ),
        ("GET", "/v1/unit-ratings", {}, row(200, 200, 200, 200, 200, 200, 200)),
        (
            "GET",
            "/v1/cycles/kota-nobody-2031/unit-ratings",
            {},
            row(404, 404, 404, 404, 404, 404, 404),
        ),
        (
            "POST",
            f"/v1/cycles/kota-nobody-2031/units/{w.unit}/rating/proposal",
            {"json": {"rating": "baik"}},
            row(403, 403, 403, 403, 403, 404, 403),
        ),
        (
            "POST",
            f"/v1/cycles/kota-nobody-2031/units/{w.unit}/rating/decision",
            {"json": {"rating": "baik"}},
            row(404, 404, 404, 404, 404, 404, 404),
        ),
        (
            "POST",
            "/v1/cycles/kota-nobody-2031/community-feedback",
            {"json": {"scores": {w.unit: 4.0}}},
            row(403, 403, 403, 403, 403, 404, 403),
        ),
        # No outcome yet, so no plan: the supervisor hears why, the others what they may not.
        ("GET", f"{a}/development-plan", {}, row(404, 404, 404, 404, 404, 404, 404)),
        ("PUT", f"{a}/development-plan", plan, row(403, 409, 404, 404, 404, 403, 403)),
        (
            "POST",
            f"{a}/development-plan/follow-ups",
            {"json": {"item": 0, "done": True}},
            row(403, 404, 404, 404, 404, 403, 403),
        ),
        (
            "GET",
            "/v1/cycles/kota-nobody-2031/development-plans",
            {},
            row(403, 403, 403, 403, 403, 200, 200),
        ),
        ("GET", "/v1/cycles/kota-nobody-2031/teladan", {}, row(403, 403, 403, 403, 403, 404, 404)),
        (
            "POST",
            "/v1/cycles/kota-nobody-2031/teladan",
            {"json": {"appraisal_id": w.appraisal_id, "reason": "inovasi layanan"}},
            row(403, 403, 403, 403, 403, 404, 403),
        ),
        ("GET", "/v1/audit/events", {}, row(403, 403, 403, 403, 403, 403, 200)),
        ("GET", "/v1/audit/heads", {}, row(403, 403, 403, 403, 403, 403, 200)),
        (
            "GET",
            "/v1/audit/head",
            {"params": {"chain": "kota"}},
            row(403, 403, 403, 403, 403, 403, 200),
        ),
        ("GET", "/v1/audit/verify", {}, row(403, 403, 403, 403, 403, 403, 200)),
        ("GET", "/v1/policies", {}, row(200, 200, 200, 200, 200, 200, 200)),
    ]


async def test_every_route_for_every_caller(api: Api, world: World) -> None:
    failures = []
    for method, path, kwargs, expected in routes(world):
        for caller, status in expected.items():
            r = await api.http.request(method, path, headers=CALLERS[caller], **kwargs)
            if r.status_code != status:
                failures.append(f"{method} {path} as {caller}: {r.status_code}, expected {status}")
            if r.status_code >= 400:
                assert r.headers["content-type"] == "application/problem+json", (method, path)
    assert not failures, "\n".join(failures)


async def test_lists_show_only_what_the_caller_may_see(api: Api, world: World) -> None:
    seen = {}
    for caller in ("self", "supervisor", "superior", "peer", "other", "hr", "auditor"):
        r = await api.http.get(
            "/v1/appraisals", params={"unit": world.unit}, headers=CALLERS[caller]
        )
        seen[caller] = [a["id"] for a in r.json()["items"]]
    mine = [world.appraisal_id]
    assert seen == {
        "self": mine,
        "supervisor": mine,
        "superior": mine,
        "peer": [],
        "other": [],
        "hr": mine,
        "auditor": mine,
    }
    waiting = await api.http.get(
        "/v1/appraisals", params={"unit": world.unit, "assignee": EMPLOYEE}, headers=CALLERS["hr"]
    )
    assert [a["id"] for a in waiting.json()["items"]] == mine
    nobody = await api.http.get(
        "/v1/appraisals", params={"unit": world.unit, "assignee": SUPERIOR}, headers=CALLERS["hr"]
    )
    assert nobody.json()["items"] == []
    for caller in ("supervisor", "peer", "other", "hr"):
        r = await api.http.get("/v1/tasks", headers=CALLERS[caller])
        assert world.draft_task_id not in [t["id"] for t in r.json()["items"]], caller


async def test_the_employee_and_supervisors_never_see_peer_identities(api: Api) -> None:
    appraisal_id = f"appraisal-peers-{uuid.uuid4().hex[:8]}"
    policy = PRESETS["bukittinggi"]  # a policy with peer input
    year_start = datetime.now(UTC) - timedelta(days=366)  # every period is already due
    inp = appraisal_input(policy, year_start=year_start)
    handle = await api.env.client.start_workflow(
        AppraisalWorkflow.run, inp, id=appraisal_id, task_queue=api.task_queue
    )
    actors = Actors(policy)
    for _ in range(200):  # answer everything up to the peers' survey
        state = await handle.query(AppraisalWorkflow.state)
        open_tasks = [t for t in state.tasks if t.status.value == "open"]
        if any(t.kind is TaskKind.PEER_FEEDBACK for t in open_tasks):
            break
        for task in open_tasks:
            body = actors.body(task)
            assert body is not None
            inp_ = CompleteTaskInput(task_id=task.id, actor_nip=task.assignee_nip, body=body)
            await handle.execute_update(AppraisalWorkflow.complete_task, inp_)
        await asyncio.sleep(0.05)
    assert any(p in state.model_dump_json() for p in PEERS)  # the peers are there to hide
    # The peers answer, so there are answers to hide as well as identities.
    surveys = [
        t for t in state.tasks if t.kind is TaskKind.PEER_FEEDBACK and t.status.value == "open"
    ]
    for survey in surveys:
        answer = actors.body(survey)
        assert answer is not None
        await handle.execute_update(
            AppraisalWorkflow.complete_task,
            CompleteTaskInput(task_id=survey.id, actor_nip=survey.assignee_nip, body=answer),
        )
    for caller in ("self", "supervisor", "superior"):
        r = await api.http.get(f"/v1/appraisals/{appraisal_id}", headers=CALLERS[caller])
        assert r.status_code == 200
        assert not any(p in r.text for p in PEERS), caller
        assert r.json()["peer_answers"] is None
    hr = await api.http.get(f"/v1/appraisals/{appraisal_id}", headers=CALLERS["hr"])
    assert any(p in hr.text for p in PEERS)
    assert hr.json()["peer_answers"] is None  # who the peers are, not what they said
    auditor = await api.http.get(f"/v1/appraisals/{appraisal_id}", headers=CALLERS["auditor"])
    assert any(p in auditor.text for p in PEERS)
    answered = {t.assignee_nip for t in surveys}
    assert answered and set(auditor.json()["peer_answers"]) == answered <= set(PEERS)


async def test_hr_cancels_and_the_task_is_then_closed(api: Api, world: World) -> None:
    r = await api.http.post(
        f"/v1/appraisals/{world.appraisal_id}/cancel",
        json={"reason": "pensiun"},
        headers=CALLERS["hr"],
    )
    assert r.status_code == 200, r.text
    assert r.json()["stage"] == "cancelled"
    task = await eventually(
        lambda: _task(api, world.draft_task_id),
        lambda t: t.status is not TaskStatus.OPEN,
        within=10,
        what="the draft task closed in the inbox",
    )
    assert task.status is TaskStatus.CANCELLED, task.status
    body = Actors(NATIONAL).body(task)
    assert body is not None  # a valid draft: only the cancellation can refuse it
    late = await api.http.post(
        f"/v1/tasks/{world.draft_task_id}/complete",
        json=body.model_dump(mode="json"),
        headers=CALLERS["self"],
    )
    assert late.status_code == 409, late.text
    # The task is cancelled (TaskClosed), or the whole appraisal has already ended (Closed).
    assert late.json()["code"] in ("TaskClosed", "Closed")


async def _task(api: Api, task_id: str) -> TaskRecord:
    r = await api.http.get(f"/v1/tasks/{task_id}", headers=CALLERS["self"])
    return TaskRecord.model_validate(r.json())
