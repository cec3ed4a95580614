"""My team as a page: the supervisor sees the employee's appraisal with the name from the
roster (shown as text), its open step and whose move it is; the employee and a stranger see
nobody's."""

from __future__ import annotations

import uuid

from appraisal_engine.domain.employee import PositionLevel
from appraisal_engine.domain.tasks import TaskKind
from appraisal_engine.simulator.scripted import EMPLOYEE, SUPERVISOR, nip
from appraisal_engine.store.repositories.rosters import add_roster
from tests.store.builders import employee
from tests.web.conftest import Web, open_task, start_appraisal

HOSTILE = "<script>alert(1)</script> Siti"


async def test_the_team_page_shows_whom_one_stands_above(web: Web) -> None:
    appraisal_id = await start_appraisal(web.env.client, web.task_queue)
    await open_task(web.sessions, EMPLOYEE, appraisal_id, TaskKind.TARGETS_DRAFT)
    person = employee(0, PositionLevel.PELAKSANA, nip=EMPLOYEE, name=HOSTILE)
    async with web.sessions() as session, session.begin():
        await add_roster(session, f"r-{uuid.uuid4().hex[:8]}", "kota-web", [person], "team")

    supervisor = await web.signed_in(SUPERVISOR)
    r = await supervisor.get("/team")
    assert r.status_code == 200
    card = r.text[r.text.index(f"/appraisals/{appraisal_id}") :].split('<li class="card">')[0]
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Siti" in card and "<script>alert" not in r.text
    assert "Penyusunan SKP saya" in card
    assert "menunggu pegawai" in card  # the employee's move, in Bahasa Indonesia

    for other in (EMPLOYEE, nip(78)):
        client = await web.signed_in(other)
        r = await client.get("/team")
        assert r.status_code == 200 and f"/appraisals/{appraisal_id}" not in r.text


async def test_my_appraisals_lists_only_my_own(web: Web) -> None:
    appraisal_id = await start_appraisal(web.env.client, web.task_queue)
    # The page reads the read model, which the workflow's first step writes after the start.
    await open_task(web.sessions, EMPLOYEE, appraisal_id, TaskKind.TARGETS_DRAFT)
    employee_client = await web.signed_in(EMPLOYEE)
    supervisor = await web.signed_in(SUPERVISOR)
    assert f"/appraisals/{appraisal_id}" in (await employee_client.get("/appraisals")).text
    assert f"/appraisals/{appraisal_id}" not in (await supervisor.get("/appraisals")).text
