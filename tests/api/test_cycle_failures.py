"""A cycle that cannot run through the API: refused with 422 before anything starts; one that
failed anyway shows as failed with its reason, and its year can be launched again."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from temporalio.client import WorkflowExecutionStatus, WorkflowFailureError
from temporalio.service import RPCError, RPCStatusCode

from appraisal_engine.api.roles import Role
from appraisal_engine.client.starters import launch_cycle
from appraisal_engine.domain.presets import BINJAI
from appraisal_engine.simulator.roster import generate_roster, roster_csv
from appraisal_engine.workflows.ids import cycle_workflow_id
from tests.api.conftest import Api, bearer
from tests.api.test_year import upload
from tests.faults.checks import eventually
from tests.workflows.cycle_driver import HR, REGIONAL_HEAD

AUDITOR = "197502022001122001"
APPEALS_OFFICER = "196601011985031001"


async def test_a_policy_that_cannot_run_is_a_422_naming_the_field(api: Api) -> None:
    org = f"kota-{uuid.uuid4().hex[:6]}"
    roster_id = await upload(api, org, roster_csv(generate_roster(5, units=1, seed=5)))
    launch = {"year": 2031, "roster_id": roster_id, "policy": "binjai"}
    r = await api.http.post("/v1/cycles", json=launch, headers=bearer(HR, Role.HR))
    assert r.status_code == 422, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    problem = r.json()
    assert [e["field"] for e in problem["errors"]] == ["body.regional_head_nip"]
    assert "regional_head_nip" in problem["detail"]
    with pytest.raises(RPCError) as err:  # nothing was started
        await api.env.client.get_workflow_handle(cycle_workflow_id(org, 2031)).describe()
    assert err.value.status is RPCStatusCode.NOT_FOUND

    # With a regional head, the heads at the top have nobody to hear their appeals.
    headed = {**launch, "regional_head_nip": REGIONAL_HEAD}
    r = await api.http.post("/v1/cycles", json=headed, headers=bearer(HR, Role.HR))
    assert r.status_code == 422, r.text
    assert [e["field"] for e in r.json()["errors"]] == ["body.appeals_officer_nip"]

    # A regional head who is in the roster cannot appraise its heads either.
    head = generate_roster(5, units=1, seed=5)[0].nip
    inside = {**launch, "regional_head_nip": head, "appeals_officer_nip": APPEALS_OFFICER}
    r = await api.http.post("/v1/cycles", json=inside, headers=bearer(HR, Role.HR))
    assert r.status_code == 422, r.text
    assert [e["field"] for e in r.json()["errors"]] == ["body.regional_head_nip"]
    with pytest.raises(RPCError) as err:  # still nothing started
        await api.env.client.get_workflow_handle(cycle_workflow_id(org, 2031)).describe()
    assert err.value.status is RPCStatusCode.NOT_FOUND


async def test_a_whole_policy_with_its_curve_out_of_order_is_a_422_naming_the_ratings(
    api: Api,
) -> None:
    org = f"kota-{uuid.uuid4().hex[:6]}"
    roster_id = await upload(api, org, roster_csv(generate_roster(5, units=1, seed=5)))
    policy = BINJAI.model_dump(mode="json")
    # The curve as it was before a Baik unit's Sangat Baik was capped like an Istimewa one's.
    policy["curve"]["baik"] = [r for r in policy["curve"]["baik"] if r["grades"] != ["sangat_baik"]]
    policy |= {"regional_head_nip": REGIONAL_HEAD, "appeals_officer_nip": APPEALS_OFFICER}
    launch = {"year": 2031, "roster_id": roster_id, "policy": policy}
    r = await api.http.post("/v1/cycles", json=launch, headers=bearer(HR, Role.HR))
    assert r.status_code == 422, r.text
    problem = r.json()
    assert [e["field"] for e in problem["errors"]] == ["body.policy.curve"]
    assert "a unit rated Baik has no bound on Sangat Baik" in problem["detail"]
    assert "one rated Istimewa may have at most 70%" in problem["detail"]
    with pytest.raises(RPCError) as err:  # nothing was started
        await api.env.client.get_workflow_handle(cycle_workflow_id(org, 2031)).describe()
    assert err.value.status is RPCStatusCode.NOT_FOUND


async def test_a_failed_cycle_shows_failed_with_its_reason_and_is_launched_again(
    api: Api,
) -> None:
    org = f"kota-{uuid.uuid4().hex[:6]}"
    employees = generate_roster(5, units=1, seed=5)
    roster_id = await upload(api, org, roster_csv(employees))
    client = api.env.client
    # Started past the API's own check (as a cycle launched before it was there): it fails.
    failed = await launch_cycle(
        client, org=org, year=2032, roster_id=roster_id, policy=BINJAI, task_queue=api.task_queue
    )
    with pytest.raises(WorkflowFailureError):
        await failed.result()
    failed_run = (await failed.describe()).run_id
    cycle_id = f"{org}-2032"
    for who in (bearer(HR, Role.HR), bearer(AUDITOR, Role.AUDITOR)):
        r = await api.http.get(f"/v1/cycles/{cycle_id}", headers=who)
        assert r.status_code == 200, r.text
        view = r.json()
        assert view["state"] == "failed"
        assert view["failure"]["type"] == "PolicyIncomplete"
        assert "regional_head_nip" in view["failure"]["message"]
        assert view["status"]["launched"] == 0 and view["summary"] is None
        assert not any(e.name in r.text for e in employees)  # no names in the reason

    async def listed() -> list[dict[str, object]]:
        r = await api.http.get("/v1/cycles", params={"limit": 200}, headers=bearer(HR, Role.HR))
        return [c for c in r.json()["items"] if c["cycle_id"] == cycle_id]

    [item] = await eventually(listed, bool, within=15, what="the failed cycle listed")
    assert item["status"] == "FAILED" and item["state"] == "failed"
    assert item["failure"]["type"] == "PolicyIncomplete"  # type: ignore[index]

    # HR launches the year again, naming the regional head: a new run of the same cycle.
    launch = {
        "year": 2032,
        "roster_id": roster_id,
        "policy": "binjai",
        "regional_head_nip": REGIONAL_HEAD,
        "appeals_officer_nip": APPEALS_OFFICER,
        "year_start": (datetime.now(UTC) - timedelta(days=30)).isoformat(),
    }
    r = await api.http.post("/v1/cycles", json=launch, headers=bearer(HR, Role.HR))
    assert r.status_code == 202, r.text
    assert r.json()["cycle_id"] == cycle_id
    handle = client.get_workflow_handle(cycle_workflow_id(org, 2032))
    described = await handle.describe()
    assert described.run_id != failed_run
    assert described.status is WorkflowExecutionStatus.RUNNING

    async def launched() -> dict[str, object]:
        r = await api.http.get(f"/v1/cycles/{cycle_id}", headers=bearer(HR, Role.HR))
        body: dict[str, object] = r.json()
        status: dict[str, object] = body["status"]  # type: ignore[assignment]
        return body if status["launch_done"] else {}

    view = await eventually(launched, bool, within=30, what="the relaunched cycle launched")
    assert view["state"] == "running" and view["failure"] is None
    assert view["status"]["launched"] == len(employees)
    again = await api.http.post("/v1/cycles", json=launch, headers=bearer(HR, Role.HR))
    assert again.status_code == 202  # a running cycle is found, not started again
    assert (await handle.describe()).run_id == described.run_id
    await handle.terminate()
