"""HR's actions on an appraisal's page over HTTP: reassign, extend a deadline and cancel,
each refused with its errors beside the fields and what was typed kept, then accepted; the
forms shown to HR only, and refused, changing nothing, to anyone else or without the form
token."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from appraisal_engine.appraisal.dev_demo import AUDITOR
from appraisal_engine.domain.records import TaskStatus
from appraisal_engine.domain.stages import Stage
from appraisal_engine.domain.tasks import TaskKind
from appraisal_engine.simulator.scripted import EMPLOYEE, HR, SUPERVISOR, nip
from appraisal_engine.workflows.appraisal.workflow import AppraisalWorkflow
from appraisal_engine.workflows.messages import AppraisalState
from tests.web.conftest import Web, form_token, open_task, start_appraisal

NEW_SUPERVISOR = nip(30)
JAKARTA = ZoneInfo("Asia/Jakarta")


async def state_of(web: Web, appraisal_id: str) -> AppraisalState:
    """The appraisal's live state, from its workflow."""
    handle = web.env.client.get_workflow_handle(appraisal_id)
    return await handle.query(AppraisalWorkflow.state)


async def test_hr_reassigns_after_a_refusal_that_keeps_what_was_typed(web: Web) -> None:
    appraisal_id = await start_appraisal(web.env.client, web.task_queue)
    await open_task(web.sessions, EMPLOYEE, appraisal_id, TaskKind.TARGETS_DRAFT)
    hr = await web.signed_in(HR)
    page = await hr.get(f"/appraisals/{appraisal_id}")
    assert page.status_code == 200
    assert f'action="/appraisals/{appraisal_id}/reassign"' in page.text
    token = form_token(page.text)
    path = f"/appraisals/{appraisal_id}/reassign"

    r = await hr.post(path, data={"csrf_token": token, "reassign.supervisor_nip": "12345"})
    assert r.status_code == 422
    assert 'id="reassign.supervisor_nip-error"' in r.text and "18 digit" in r.text
    assert 'id="reassign.reason-error"' in r.text and 'value="12345"' in r.text

    # The workflow's own rule, beside the field it names.
    same = {"reassign.supervisor_nip": SUPERVISOR, "reassign.reason": "Mutasi jabatan"}
    r = await hr.post(path, data={"csrf_token": token, **same})
    assert r.status_code == 422 and 'id="reassign.supervisor_nip-error"' in r.text
    assert "Tidak ada yang berubah" in r.text and "Mutasi jabatan" in r.text

    moved = {"reassign.supervisor_nip": NEW_SUPERVISOR, "reassign.reason": "Mutasi jabatan"}
    r = await hr.post(path, data={"csrf_token": token, **moved})
    assert r.status_code == 303 and r.headers["location"] == f"/appraisals/{appraisal_id}"
    assert (await state_of(web, appraisal_id)).supervisor_nip == NEW_SUPERVISOR
    page = await hr.get(f"/appraisals/{appraisal_id}")
    assert "telah dialihkan" in page.text


async def test_hr_extends_an_open_tasks_deadline(web: Web) -> None:
    appraisal_id = await start_appraisal(web.env.client, web.task_queue)
    draft_id = await open_task(web.sessions, EMPLOYEE, appraisal_id, TaskKind.TARGETS_DRAFT)
    hr = await web.signed_in(HR)
    page = await hr.get(f"/appraisals/{appraisal_id}")
    assert f'value="{draft_id}"' in page.text  # the open task to pick
    path = f"/appraisals/{appraisal_id}/deadline"
    token = form_token(page.text)
    yesterday = (datetime.now(JAKARTA) - timedelta(days=1)).date().isoformat()
    past = {
        "csrf_token": token,
        "deadline.task_id": draft_id,
        "deadline.due_date": yesterday,
        "deadline.due_time": "16:00",
        "deadline.reason": "Cuti sakit",
    }
    r = await hr.post(path, data=past)
    assert r.status_code == 422 and 'id="deadline.due_at-error"' in r.text
    assert "lebih lambat dari saat ini" in r.text
    assert f'value="{yesterday}"' in r.text and "Cuti sakit" in r.text
    r = await hr.post(path, data={**past, "deadline.due_date": "besok"})
    assert r.status_code == 422 and 'id="deadline.due_at-error"' in r.text

    later = (datetime.now(JAKARTA) + timedelta(days=40)).date()
    r = await hr.post(path, data={**past, "deadline.due_date": later.isoformat()})
    assert r.status_code == 303
    state = await state_of(web, appraisal_id)
    task = next(t for t in state.tasks if t.id == draft_id)
    # The day and time were read on the organisation's clock.
    assert task.due_at == datetime(later.year, later.month, later.day, 16, 0, tzinfo=JAKARTA)


async def test_hr_cancels_only_with_a_reason(web: Web) -> None:
    appraisal_id = await start_appraisal(web.env.client, web.task_queue)
    await open_task(web.sessions, EMPLOYEE, appraisal_id, TaskKind.TARGETS_DRAFT)
    hr = await web.signed_in(HR)
    page = await hr.get(f"/appraisals/{appraisal_id}")
    path = f"/appraisals/{appraisal_id}/cancel"
    token = form_token(page.text)
    r = await hr.post(path, data={"csrf_token": token, "cancel.reason": "  "})
    assert r.status_code == 422 and 'id="cancel.reason-error"' in r.text
    assert (await state_of(web, appraisal_id)).stage is Stage.TARGETS

    r = await hr.post(path, data={"csrf_token": token, "cancel.reason": "Pensiun"})
    assert r.status_code == 303
    state = await state_of(web, appraisal_id)
    assert state.stage is Stage.CANCELLED
    assert all(t.status is not TaskStatus.OPEN for t in state.tasks)
    page = await hr.get(f"/appraisals/{appraisal_id}")
    assert "Pensiun" in page.text and f'action="{path}"' not in page.text  # nothing left to do


async def test_others_and_forged_forms_change_nothing(web: Web) -> None:
    appraisal_id = await start_appraisal(web.env.client, web.task_queue)
    draft_id = await open_task(web.sessions, EMPLOYEE, appraisal_id, TaskKind.TARGETS_DRAFT)
    before = await state_of(web, appraisal_id)
    posts = {
        "reassign": {"reassign.supervisor_nip": NEW_SUPERVISOR, "reassign.reason": "Mutasi"},
        "deadline": {
            "deadline.task_id": draft_id,
            "deadline.due_date": (datetime.now(JAKARTA) + timedelta(days=40)).date().isoformat(),
            "deadline.reason": "Cuti",
        },
        "cancel": {"cancel.reason": "Pensiun"},
    }
    for who in (EMPLOYEE, SUPERVISOR, AUDITOR):
        client = await web.signed_in(who)
        page = await client.get(f"/appraisals/{appraisal_id}")
        assert page.status_code == 200 and "/reassign" not in page.text  # HR's forms only
        token = form_token(page.text)
        for action, data in posts.items():
            r = await client.post(
                f"/appraisals/{appraisal_id}/{action}", data={"csrf_token": token, **data}
            )
            assert r.status_code == 403, (who, action)

    hr = await web.signed_in(HR)
    for action, data in posts.items():
        r = await hr.post(f"/appraisals/{appraisal_id}/{action}", data=data)
        assert r.status_code == 403  # no form token
    state = await state_of(web, appraisal_id)
    assert state.stage is Stage.TARGETS and state.supervisor_nip == SUPERVISOR
    assert state.tasks == before.tasks  # the deadline too
