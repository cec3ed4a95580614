"""Planning through the API: a targets.approve body carries the leader's expectations and the
dialogue; a policy that asks for the dialogue refuses an approval without it (422 naming the
field, nothing changed), and the appraisal's state shows both once approved."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from appraisal_engine.domain.calendar import local_date
from appraisal_engine.domain.planning import PlanningPolicy
from appraisal_engine.domain.presets import NATIONAL
from appraisal_engine.domain.tasks import TaskKind
from appraisal_engine.simulator.scripted import Actors, nip
from appraisal_engine.workflows.appraisal.workflow import AppraisalWorkflow
from tests.api.conftest import Api, bearer
from tests.api.test_hostile import open_task
from tests.workflows.driver import appraisal_input

PROBLEM = "application/problem+json"
STRICT = NATIONAL.model_copy(update={"planning": PlanningPolicy(dialogue_required=True)})


async def test_approval_without_the_required_dialogue_is_422_then_accepted(api: Api) -> None:
    employee, supervisor, superior = nip(81), nip(82), nip(83)
    appraisal_id = f"appraisal-planning-{uuid.uuid4().hex[:8]}"
    inp = appraisal_input(
        STRICT, employee_nip=employee, supervisor_nip=supervisor, superior_nip=superior
    )
    await api.env.client.start_workflow(
        AppraisalWorkflow.run, inp, id=appraisal_id, task_queue=api.task_queue
    )
    draft = await open_task(api, employee, appraisal_id, TaskKind.TARGETS_DRAFT)
    body = Actors(STRICT).body(draft)
    assert body is not None
    r = await api.http.post(
        f"/v1/tasks/{draft.id}/complete",
        json=body.model_dump(mode="json"),
        headers=bearer(employee),
    )
    assert r.status_code == 200, r.text

    approve = await open_task(api, supervisor, appraisal_id, TaskKind.TARGETS_APPROVE)
    url = f"/v1/tasks/{approve.id}/complete"
    bare = {"kind": "targets.approve", "decision": "approve"}
    r = await api.http.post(url, json=bare, headers=bearer(supervisor))
    assert r.status_code == 422 and r.headers["content-type"] == PROBLEM, r.text
    assert [e["field"] for e in r.json()["errors"]] == ["body.dialogue"]
    assert "performance dialogue" in r.text
    state = await api.env.client.get_workflow_handle(appraisal_id).query(AppraisalWorkflow.state)
    assert state.stage.value == "targets" and state.dialogue is None

    # A key that is no BerAKHLAK value is named as the field in error.
    odd = {**bare, "expectations": {"integritas": "Jujur dalam laporan"}}
    r = await api.http.post(url, json=odd, headers=bearer(supervisor))
    assert r.status_code == 422 and "expectations" in r.json()["errors"][0]["field"], r.text

    today = local_date(datetime.now(UTC), STRICT.time_zone).isoformat()
    full = {
        **bare,
        "expectations": {"akuntabel": "Laporan lengkap dengan bukti dukung"},
        "dialogue": {"held_on": today, "agreed": True, "notes": "Sepakat"},
    }
    r = await api.http.post(url, json=full, headers=bearer(supervisor))
    assert r.status_code == 200, r.text
    r = await api.http.get(f"/v1/appraisals/{appraisal_id}", headers=bearer(employee))
    assert r.status_code == 200, r.text
    seen = r.json()["appraisal"]
    assert seen["expectations"] == {"akuntabel": "Laporan lengkap dengan bukti dukung"}
    assert seen["dialogue"] == {"held_on": today, "agreed": True, "notes": "Sepakat"}
    assert seen["planning"]["dialogue_required"] is True
    assert seen["planning"]["expectations_required"] is False
