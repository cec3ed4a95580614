"""Errors as problem documents: every field error listed, unknown fields and oversized bodies
refused, a rejected roster stores nothing, and of two racing submits exactly one wins."""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter
from collections.abc import AsyncIterator
from typing import Any

from sqlalchemy import func, select
from temporalio.client import WorkflowHandle

from appraisal_engine.api.roles import Role
from appraisal_engine.domain.presets import NATIONAL
from appraisal_engine.domain.records import TaskRecord
from appraisal_engine.simulator.roster import generate_roster, roster_csv
from appraisal_engine.simulator.scripted import EMPLOYEE, Actors
from appraisal_engine.store.models import EmployeeRow, RosterRow
from appraisal_engine.workflows.appraisal.workflow import AppraisalWorkflow
from tests.api.conftest import Api, bearer
from tests.api.test_access import HR, wait_for_task
from tests.workflows.driver import appraisal_input

PROBLEM = "application/problem+json"


async def start_one(api: Api) -> tuple[str, str]:
    """A fresh appraisal waiting for the employee's draft: (appraisal id, task id)."""
    appraisal_id = f"appraisal-errors-{uuid.uuid4().hex[:8]}"
    await api.env.client.start_workflow(
        AppraisalWorkflow.run,
        appraisal_input(NATIONAL),
        id=appraisal_id,
        task_queue=api.task_queue,
    )
    return appraisal_id, await wait_for_task(api, EMPLOYEE, appraisal_id)


async def test_every_field_error_is_listed(api: Api) -> None:
    appraisal_id, _ = await start_one(api)
    r = await api.http.post(
        f"/v1/appraisals/{appraisal_id}/reassign",
        json={"supervisor_nip": "123", "reason": "", "colour": "blue"},
        headers=bearer(HR, Role.HR),
    )
    assert r.status_code == 422 and r.headers["content-type"] == PROBLEM
    fields = {e["field"] for e in r.json()["errors"]}
    assert fields == {"body.supervisor_nip", "body.reason", "body.colour"}


async def settled_history_length(handle: WorkflowHandle[Any, Any]) -> int:
    """The history's length once the workflow has finished reacting to its start (the inbox may
    hold the task before the workflow task that wrote it is recorded): unchanged for 0.5 s."""
    length = -1
    for _ in range(100):
        now = len([e async for e in handle.fetch_history_events()])
        if now == length:
            return now
        length = now
        await asyncio.sleep(0.5)
    raise AssertionError("the workflow never settled")


async def test_a_task_body_with_an_unknown_field_is_refused_and_changes_nothing(api: Api) -> None:
    appraisal_id, task_id = await start_one(api)
    handle = api.env.client.get_workflow_handle(appraisal_id)
    before = await settled_history_length(handle)
    task = TaskRecord.model_validate(
        (await api.http.get(f"/v1/tasks/{task_id}", headers=bearer(EMPLOYEE))).json()
    )
    body = Actors(NATIONAL).body(task)
    assert body is not None
    r = await api.http.post(
        f"/v1/tasks/{task_id}/complete",
        json={**body.model_dump(mode="json"), "approved_by_me": True},
        headers=bearer(EMPLOYEE),
    )
    assert r.status_code == 422
    assert [e["field"] for e in r.json()["errors"]] == ["body.targets.draft.approved_by_me"]
    assert len([e async for e in handle.fetch_history_events()]) == before


async def test_oversized_bodies_get_413(api: Api) -> None:
    big = b'{"reason": "' + b"x" * 2_000_000 + b'"}'
    headers = {**bearer(EMPLOYEE), "Content-Type": "application/json"}
    declared = await api.http.post("/v1/appraisals/a/appeal", content=big, headers=headers)
    assert declared.status_code == 413 and declared.headers["content-type"] == PROBLEM

    async def chunks() -> AsyncIterator[
        bytes
    ]:  # no Content-Length: the limit holds while the body streams in
        for _ in range(40):
            yield b"x" * 65536

    streamed = await api.http.post("/v1/appraisals/a/appeal", content=chunks(), headers=headers)
    assert streamed.status_code == 413 and streamed.headers["content-type"] == PROBLEM


async def test_deeply_nested_json_is_a_client_error(api: Api) -> None:
    nested = "[" * 100_000 + "]" * 100_000
    r = await api.http.post(
        "/v1/appraisals/a/appeal",
        content=nested,
        headers={**bearer(EMPLOYEE), "Content-Type": "application/json"},
    )
    assert r.status_code == 400 and r.headers["content-type"] == PROBLEM  # not parsed: no 5xx


async def test_a_rejected_roster_lists_each_problem_and_stores_nothing(api: Api) -> None:
    employees = generate_roster(6, units=1, seed=5)
    lines = roster_csv(employees).decode().splitlines()
    lines[2] = lines[2].replace(employees[1].nip, "12345", 1)  # a bad NIP on row 3
    lines.append(lines[3])  # a duplicate of row 4
    async with api.sessions() as session:
        before = (
            await session.scalar(select(func.count()).select_from(RosterRow)),
            await session.scalar(select(func.count()).select_from(EmployeeRow)),
        )
    files = {"file": ("roster.csv", "\n".join(lines).encode(), "text/csv")}
    r = await api.http.post(
        "/v1/rosters", data={"org": "kota-salah"}, files=files, headers=bearer(HR, Role.HR)
    )
    assert r.status_code == 422 and r.headers["content-type"] == PROBLEM
    rows = {e["row"] for e in r.json()["errors"]}
    assert 3 in rows and len(lines) in rows
    async with api.sessions() as session:
        after = (
            await session.scalar(select(func.count()).select_from(RosterRow)),
            await session.scalar(select(func.count()).select_from(EmployeeRow)),
        )
    assert after == before


async def test_of_two_racing_submits_exactly_one_wins(api: Api) -> None:
    appraisal_id, task_id = await start_one(api)
    task = TaskRecord.model_validate(
        (await api.http.get(f"/v1/tasks/{task_id}", headers=bearer(EMPLOYEE))).json()
    )
    body = Actors(NATIONAL).body(task)
    assert body is not None
    url, payload = f"/v1/tasks/{task_id}/complete", body.model_dump(mode="json")
    answers = await asyncio.gather(
        *(api.http.post(url, json=payload, headers=bearer(EMPLOYEE)) for _ in range(2))
    )
    assert Counter(r.status_code for r in answers) == Counter({200: 1, 409: 1})
    retried = await api.http.post(url, json=payload, headers=bearer(EMPLOYEE))
    assert retried.status_code == 409  # a retried POST after success changes nothing
    state = await api.env.client.get_workflow_handle(appraisal_id).query(AppraisalWorkflow.state)
    drafts = [t for t in state.tasks if t.id == task_id]
    assert len(drafts) == 1 and drafts[0].completed_by == EMPLOYEE
