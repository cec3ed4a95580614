"""A development plan through the API: the supervisor plans under the policy the appraisal was
started with, the employee reads it, the superior is told there is none, a bad body names its
fields, and the follow-up is recorded."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from appraisal_engine.domain.outcome import OutcomeKind
from appraisal_engine.domain.presets import PRESETS
from appraisal_engine.domain.ratings import Grade
from appraisal_engine.domain.records import OutcomeRecord
from appraisal_engine.simulator.scripted import EMPLOYEE, SUPERIOR, SUPERVISOR
from appraisal_engine.store.repositories.outcomes import upsert_outcome
from appraisal_engine.workflows.appraisal.workflow import AppraisalWorkflow
from tests.api.conftest import Api, bearer
from tests.api.test_access import wait_for_task
from tests.workflows.driver import appraisal_input


async def test_the_supervisor_plans_and_follows_up_the_employee_reads(api: Api) -> None:
    appraisal_id = f"appraisal-plan-{uuid.uuid4().hex[:8]}"
    inp = appraisal_input(PRESETS["tebingtinggi"], unit_code="DUKCAPIL")
    await api.env.client.start_workflow(
        AppraisalWorkflow.run, inp, id=appraisal_id, task_queue=api.task_queue
    )
    await wait_for_task(api, EMPLOYEE, appraisal_id)  # the read model has the appraisal
    # The year's end is not what this test is about: its outcome is written as the workflow would.
    async with api.sessions() as session, session.begin():
        await upsert_outcome(
            session,
            OutcomeRecord(
                appraisal_id=appraisal_id,
                cycle_id=None,
                employee_nip=EMPLOYEE,
                unit_code="DUKCAPIL",
                grade=Grade.BUTUH_PERBAIKAN,
                kind=OutcomeKind.DEVELOPMENT,
                credit_points_percent=75,
                decided_at=datetime.now(UTC),
            ),
        )
    url = f"/v1/appraisals/{appraisal_id}/development-plan"
    today = datetime.now(UTC).date()
    item = {"kind": "technical", "course": "Diklat SIAK", "due_on": str(today + timedelta(20))}
    # Tebingtinggi's policy, read from the appraisal's start, asks for a follow-up date.
    r = await api.http.put(url, json={"items": [item]}, headers=bearer(SUPERVISOR))
    assert r.status_code == 422, r.text
    assert [e["field"] for e in r.json()["errors"]] == ["body.follow_up_on"]
    bad = await api.http.put(
        url, json={"items": [{**item, "due_on": 20260101}]}, headers=bearer(SUPERVISOR)
    )
    assert bad.status_code == 422 and "items.0.due_on" in bad.text
    body = {"items": [item], "follow_up_on": str(today + timedelta(40))}
    r = await api.http.put(url, json=body, headers=bearer(SUPERVISOR))
    assert r.status_code == 200, r.text
    assert r.json()["plan"]["planned_by"] == SUPERVISOR
    mine = await api.http.get(url, headers=bearer(EMPLOYEE))
    assert mine.status_code == 200 and mine.json() == r.json()
    assert (await api.http.get(url, headers=bearer(SUPERIOR))).status_code == 404
    said = await api.http.post(
        f"{url}/follow-ups", json={"item": 0, "done": True}, headers=bearer(SUPERVISOR)
    )
    assert said.status_code == 200, said.text
    follow_up = said.json()["plan"]["items"][0]["follow_up"]
    assert follow_up["done"] and not follow_up["late"] and follow_up["by"] == SUPERVISOR
    again = await api.http.post(
        f"{url}/follow-ups", json={"item": 0, "done": False}, headers=bearer(SUPERVISOR)
    )
    assert again.status_code == 409 and "already followed up" in again.json()["detail"]
