"""ASN teladan through the API on a running Wanggar cycle: HR nominates a Sangat Baik (201), a
Baik and a nomination past the cap answer 409 with the reason, an auditor reads the cap."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime

from appraisal_engine.api.roles import Role
from appraisal_engine.domain.outcome import OutcomeKind
from appraisal_engine.domain.ratings import Grade
from appraisal_engine.domain.records import OutcomeRecord
from appraisal_engine.simulator.roster import generate_roster, roster_csv
from appraisal_engine.store.repositories.outcomes import upsert_outcome
from tests.api.conftest import Api, bearer
from tests.api.test_year import AUDITOR, upload
from tests.workflows.cycle_driver import APPEALS_OFFICER, HR, REGIONAL_HEAD


async def test_hr_nominates_within_the_cap_through_the_api(api: Api) -> None:
    people = generate_roster(3, units=1, seed=5)
    org = f"wanggar-{uuid.uuid4().hex[:6]}"
    roster_id = await upload(api, org, roster_csv(people))
    hr = bearer(HR, Role.HR)
    launch = {
        "year": 2000 + uuid.uuid4().int % 90,
        "roster_id": roster_id,
        "policy": "wanggar",
        "regional_head_nip": REGIONAL_HEAD,
        "appeals_officer_nip": APPEALS_OFFICER,
    }
    r = await api.http.post("/v1/cycles", json=launch, headers=hr)
    assert r.status_code == 202, r.text
    cycle_id = r.json()["cycle_id"]
    for _ in range(100):
        status = (await api.http.get(f"/v1/cycles/{cycle_id}", headers=hr)).json()["status"]
        if status["launch_done"]:
            break
        await asyncio.sleep(0.1)
    # The year's end is not what this test is about: its outcomes are written as recorded.
    ids = [f"appraisal-{cycle_id}-{e.nip}" for e in people]
    grades = [Grade.SANGAT_BAIK, Grade.SANGAT_BAIK, Grade.BAIK]
    async with api.sessions() as session, session.begin():
        for e, grade, appraisal_id in zip(people, grades, ids, strict=True):
            await upsert_outcome(
                session,
                OutcomeRecord(
                    appraisal_id=appraisal_id,
                    cycle_id=cycle_id,
                    employee_nip=e.nip,
                    unit_code=e.unit_code,
                    grade=grade,
                    kind=OutcomeKind.AWARD
                    if grade is Grade.SANGAT_BAIK
                    else OutcomeKind.DEVELOPMENT,
                    credit_points_percent=100,
                    decided_at=datetime.now(UTC),
                ),
            )
    url = f"/v1/cycles/{cycle_id}/teladan"
    reason = {"reason": "inovasi layanan kependudukan"}
    baik = await api.http.post(url, json={"appraisal_id": ids[2], **reason}, headers=hr)
    assert baik.status_code == 409 and baik.headers["content-type"] == "application/problem+json"
    assert "only a final grade of Sangat Baik" in baik.json()["detail"]
    first = await api.http.post(url, json={"appraisal_id": ids[0], **reason}, headers=hr)
    assert first.status_code == 201, first.text
    assert first.json()["employee_nip"] == people[0].nip and first.json()["nominated_by"] == HR
    past = await api.http.post(url, json={"appraisal_id": ids[1], **reason}, headers=hr)
    assert past.status_code == 409 and "cap is reached" in past.json()["detail"]
    view = (await api.http.get(url, headers=bearer(AUDITOR, Role.AUDITOR))).json()
    assert (view["sangat_baik"], view["cap"], view["by_hr"]) == (2, 1, True)
    assert [n["appraisal_id"] for n in view["nominations"]] == [ids[0]]
