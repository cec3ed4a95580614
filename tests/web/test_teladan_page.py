"""HR's page of a Wanggar cycle's follow-up: ASN teladan nominated from the Sangat Baik through
its form, a Baik refused with the reason in Bahasa Indonesia and what was typed kept, the cap
reached; an auditor reads the page without the form."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime

from appraisal_engine.appraisal.dev_demo import AUDITOR
from appraisal_engine.domain.outcome import OutcomeKind
from appraisal_engine.domain.ratings import Grade
from appraisal_engine.domain.records import OutcomeRecord
from appraisal_engine.services.cycles import handle_of
from appraisal_engine.simulator.roster import generate_roster
from appraisal_engine.store.repositories.outcomes import upsert_outcome
from appraisal_engine.workflows.cycle import CycleWorkflow
from tests.web.conftest import Web, form_token
from tests.web.test_hr_pages import launch_form, stored_roster
from tests.workflows.cycle_driver import HR


async def test_hr_nominates_asn_teladan_within_the_cap(web: Web) -> None:
    hr = await web.signed_in(HR)
    org = f"wanggar-{uuid.uuid4().hex[:6]}"
    roster_id = await stored_roster(hr, org, 3)
    page = await hr.get("/hr/cycles")
    form = launch_form(page.text, roster_id, policy="wanggar")
    r = await hr.post("/hr/cycles", data=form)
    assert r.status_code == 303, r.text
    cycle_id = f"{org}-{form['year']}"
    handle = handle_of(web.env.client, cycle_id)
    for _ in range(100):
        if (await handle.query(CycleWorkflow.status)).launch_done:
            break
        await asyncio.sleep(0.1)
    # The year's end is not what this page is about: two Sangat Baik and a Baik, as recorded.
    people = generate_roster(3, units=1, seed=5)
    grades = [Grade.SANGAT_BAIK, Grade.SANGAT_BAIK, Grade.BAIK]
    ids = [f"appraisal-{cycle_id}-{e.nip}" for e in people]
    async with web.sessions() as session, session.begin():
        for e, grade, appraisal_id in zip(people, grades, ids, strict=True):
            kind = OutcomeKind.AWARD if grade is Grade.SANGAT_BAIK else OutcomeKind.DEVELOPMENT
            await upsert_outcome(
                session,
                OutcomeRecord(
                    appraisal_id=appraisal_id,
                    cycle_id=cycle_id,
                    employee_nip=e.nip,
                    unit_code=e.unit_code,
                    grade=grade,
                    kind=kind,
                    credit_points_percent=150 if grade is Grade.SANGAT_BAIK else 100,
                    decided_at=datetime.now(UTC),
                ),
            )
    dashboard = await hr.get(f"/hr/cycles/{cycle_id}")
    assert f'href="/hr/cycles/{cycle_id}/follow-up"' in dashboard.text
    page = await hr.get(f"/hr/cycles/{cycle_id}/follow-up")
    assert page.status_code == 200 and "0 dari paling banyak 1 dinominasikan" in page.text
    url = f"/hr/cycles/{cycle_id}/teladan"
    token = form_token(page.text)
    baik = {"csrf_token": token, "appraisal_id": ids[2], "reason": "pelayanan prima"}
    r = await hr.post(url, data=baik)
    assert r.status_code == 409 and "hanya predikat akhir Sangat Baik" in r.text
    assert "pelayanan prima" in r.text  # what was typed is kept
    r = await hr.post(url, data={**baik, "appraisal_id": ids[0]})
    assert r.status_code == 303, r.text
    r = await hr.post(url, data={**baik, "appraisal_id": ids[1]})
    assert r.status_code == 409 and "batas sudah tercapai" in r.text
    auditor = await web.signed_in(AUDITOR)
    theirs = await auditor.get(f"/hr/cycles/{cycle_id}/follow-up")
    assert theirs.status_code == 200 and people[0].nip in theirs.text
    assert f'action="{url}"' not in theirs.text
