"""A small unit's whole year through the API: each step done by the right person, with their own
token, on the real dev server and a real worker."""

from __future__ import annotations

import asyncio
import math
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta

from appraisal_engine.api.roles import Role
from appraisal_engine.domain.records import TaskRecord
from appraisal_engine.simulator.roster import generate_roster, roster_csv
from appraisal_engine.simulator.scripted import Actors
from tests.api.conftest import Api, bearer
from tests.workflows.cycle_driver import APPEALS_OFFICER, HR, POLICY, REGIONAL_HEAD

AUDITOR = "197502022001122001"


async def upload(api: Api, org: str, csv: bytes) -> str:
    """HR uploads the roster; returns its id."""
    files = {"file": ("roster.csv", csv, "text/csv")}
    r = await api.http.post(
        "/v1/rosters", data={"org": org}, files=files, headers=bearer(HR, Role.HR)
    )
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


async def my_open_tasks(api: Api, nip: str) -> list[TaskRecord]:
    """The caller's open tasks, every page."""
    tasks: list[TaskRecord] = []
    offset: int | None = 0
    while offset is not None:
        r = await api.http.get(
            "/v1/tasks",
            params={"status": "open", "limit": 5, "offset": offset},
            headers=bearer(nip),
        )
        assert r.status_code == 200, r.text
        tasks += [TaskRecord.model_validate(t) for t in r.json()["items"]]
        offset = r.json()["next_offset"]
    return tasks


async def test_a_unit_year_through_the_api(api: Api) -> None:
    employees = generate_roster(7, units=1, seed=3)
    org = f"kota-{uuid.uuid4().hex[:6]}"
    roster_id = await upload(api, org, roster_csv(employees))
    year = 2000 + uuid.uuid4().int % 90
    launch = {
        "year": year,
        "roster_id": roster_id,
        "policy": POLICY.model_dump(mode="json"),
        "year_start": (datetime.now(UTC) - timedelta(days=366)).isoformat(),
    }
    hr = bearer(HR, Role.HR)
    r = await api.http.post("/v1/cycles", json=launch, headers=hr)
    assert r.status_code == 202, r.text
    cycle_id = r.json()["cycle_id"]
    again = await api.http.post("/v1/cycles", json=launch, headers=hr)
    assert again.json() == r.json()  # launching twice finds the same cycle

    people = [e.nip for e in employees] + [REGIONAL_HEAD, APPEALS_OFFICER]
    actors = Actors(POLICY)
    done_by: Counter[str] = Counter()
    calibrated = False
    status: dict[str, object] = {}
    for _ in range(300):
        status = (await api.http.get(f"/v1/cycles/{cycle_id}", headers=hr)).json()["status"]
        if status["closed"]:
            break
        for nip in people:
            for task in await my_open_tasks(api, nip):
                body = actors.body(task)
                assert body is not None
                url = f"/v1/tasks/{task.id}/complete"
                r = await api.http.post(url, json=body.model_dump(mode="json"), headers=bearer(nip))
                assert r.status_code == 200, r.text
                assert r.json()["task"]["completed_by"] == nip
                done_by[task.kind.value] += 1
        units: dict[str, dict[str, object]] = status["units"]  # type: ignore[assignment]
        for unit, progress in units.items():
            stages: dict[str, int] = progress["stages"]  # type: ignore[assignment]
            ready = status["launch_done"] and stages.get("calibration", 0) == progress["total"]
            if ready and not calibrated:
                await calibrate(api, cycle_id, unit, [e.nip for e in employees])
                calibrated = True
        await asyncio.sleep(0.2)
    assert status["closed"], status
    assert calibrated

    everyone = (
        await api.http.get(
            "/v1/appraisals", params={"cycle_id": cycle_id, "limit": 200}, headers=hr
        )
    ).json()
    assert len(everyone["items"]) == len(employees)
    assert {a["stage"] for a in everyone["items"]} == {"done"}
    assert all(a["grade_final"] for a in everyone["items"])
    # One draft, one approval and one review per employee (the actors return no draft), and a
    # self-report for every period.
    n, periods = len(employees), POLICY.report_period.per_year
    assert done_by["targets.draft"] == n and done_by["targets.approve"] == n, done_by
    assert done_by["review"] == n and done_by["self_report"] == periods * n, done_by
    view = (
        await api.http.get(f"/v1/cycles/{cycle_id}", headers=bearer(AUDITOR, Role.AUDITOR))
    ).json()
    assert sum(view["summary"]["units"][employees[0].unit_code]["grades"].values()) == len(
        employees
    )
    # The employee reads their own closed appraisal.
    me = employees[-1].nip
    mine = await api.http.get(f"/v1/appraisals/appraisal-{cycle_id}-{me}", headers=bearer(me))
    assert mine.status_code == 200 and mine.json()["appraisal"]["stage"] == "done"
    # The employee's timeline names who did each step; the auditor's read of it is logged.
    supervisor = next(e.supervisor_nip for e in employees if e.nip == me)
    steps: list[dict[str, str]] = []
    offset: int | None = 0
    while offset is not None:
        r = await api.http.get(
            f"/v1/appraisals/appraisal-{cycle_id}-{me}/history",
            params={"offset": offset, "limit": 10},
            headers=bearer(me),
        )
        assert r.status_code == 200, r.text
        steps += r.json()["entries"]
        offset = r.json()["next_offset"]
    by_kind = {s["kind"]: s["actor_nip"] for s in steps}
    assert by_kind["targets.draft"] == me
    assert by_kind["targets.approve"] == supervisor and by_kind["review"] == supervisor
    assert {"grade.released", "completed"} <= set(by_kind)
    auditor = bearer(AUDITOR, Role.AUDITOR)
    read = await api.http.get(f"/v1/appraisals/appraisal-{cycle_id}-{me}/history", headers=auditor)
    assert read.status_code == 200, read.text
    logged = await api.http.get(
        "/v1/audit/events", params={"actor": AUDITOR, "kind": "auditor.read"}, headers=auditor
    )
    assert any(e["appraisal_id"] == f"appraisal-{cycle_id}-{me}" for e in logged.json()["items"])


async def rate_unit(api: Api, cycle_id: str, unit: str, nips: list[str]) -> None:
    """HR proposes the unit's rating; calibration waits for the official one level up, who
    finds the unit among theirs to rate and decides; nobody else may."""
    hr = bearer(HR, Role.HR)
    url = f"/v1/cycles/{cycle_id}/calibration"
    waiting = await api.http.post(url, json={"unit_code": unit}, headers=hr)
    assert waiting.status_code == 409, waiting.text
    assert unit in waiting.json()["detail"] and "not decided" in waiting.json()["detail"]
    rating = f"/v1/cycles/{cycle_id}/units/{unit}/rating"
    proposal = {"rating": "baik", "note": "capaian IKU unit 98%"}
    proposed = await api.http.post(f"{rating}/proposal", json=proposal, headers=hr)
    assert proposed.status_code == 200, proposed.text
    assert proposed.json()["proposed"]["actor_nip"] == HR
    assert proposed.json()["decided"] is None and proposed.json()["rater_nip"] == REGIONAL_HEAD
    # Only HR proposes; the official alone decides: HR is refused, anyone else finds nothing.
    official = bearer(REGIONAL_HEAD)
    assert (
        await api.http.post(f"{rating}/proposal", json=proposal, headers=official)
    ).status_code == 403
    assert (await api.http.post(f"{rating}/decision", json=proposal, headers=hr)).status_code == 403
    for stranger in nips:
        r = await api.http.post(f"{rating}/decision", json=proposal, headers=bearer(stranger))
        assert r.status_code == 404, r.text
        listed = await api.http.get(f"/v1/cycles/{cycle_id}/unit-ratings", headers=bearer(stranger))
        assert listed.status_code == 404
    mine = await api.http.get("/v1/unit-ratings", headers=official)
    assert mine.status_code == 200, mine.text
    assert [(u["cycle_id"], u["unit_code"], u["open"]) for u in mine.json()["items"]] == [
        (cycle_id, unit, True)
    ]
    decided = await api.http.post(
        f"{rating}/decision", json={"rating": "baik", "note": "sesuai evaluasi"}, headers=official
    )
    assert decided.status_code == 200, decided.text
    assert decided.json()["decided"]["actor_nip"] == REGIONAL_HEAD
    assert decided.json()["decided"]["rating"] == "baik"
    assert decided.json()["proposed"]["note"] == "capaian IKU unit 98%"
    bad = await api.http.post(f"{rating}/decision", json={"rating": "hebat"}, headers=official)
    assert bad.status_code == 422
    other = await api.http.post(
        url, json={"unit_code": unit, "unit_rating": "istimewa"}, headers=hr
    )
    assert other.status_code == 422 and "baik" in other.json()["detail"], other.text


async def calibrate(api: Api, cycle_id: str, unit: str, nips: list[str]) -> None:
    """The unit's rating decided, HR is refused by the curve, adjusts with reasons, and
    releases; the rating can then no longer change."""
    await rate_unit(api, cycle_id, unit, nips)
    hr = bearer(HR, Role.HR)
    url = f"/v1/cycles/{cycle_id}/calibration"
    first = await api.http.post(url, json={"unit_code": unit}, headers=hr)
    assert first.status_code == 409, first.text
    assert first.headers["content-type"] == "application/problem+json"
    violations = first.json()["violations"]
    assert violations and all(
        {"grades", "actual_share", "allowed_max_share"} <= set(v) for v in violations
    )
    ids = sorted(f"appraisal-{cycle_id}-{n}" for n in nips)
    raise_to = math.ceil(0.3 * len(ids))
    adjustments = [
        {"appraisal_id": i, "grade": "sangat_baik", "reason": "capaian melampaui target"}
        for i in ids[:raise_to]
    ] + [
        {
            "appraisal_id": ids[-1],
            "grade": "butuh_perbaikan",
            "reason": "dua target utama tidak tercapai",
        }
    ]
    second = await api.http.post(
        url, json={"unit_code": unit, "unit_rating": "baik", "adjustments": adjustments}, headers=hr
    )
    assert second.status_code == 200, second.text
    assert second.json()["released"] == len(ids)
    late = await api.http.post(
        f"/v1/cycles/{cycle_id}/units/{unit}/rating/decision",
        json={"rating": "istimewa"},
        headers=bearer(REGIONAL_HEAD),
    )
    assert late.status_code == 409 and "no longer change" in late.json()["detail"], late.text
