"""The development plan in pages: the supervisor makes it on the appraisal's page once the
outcome is decided (refused with the error beside the field, what was typed kept), follows each
item up; the employee reads it in Bahasa Indonesia; the superior sees none of it. HR's page of the
cycle's plans and ASN teladan refuses others."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta

from appraisal_engine.domain.presets import NATIONAL
from appraisal_engine.domain.ratings import Rating
from appraisal_engine.domain.stages import Stage
from appraisal_engine.simulator.scripted import EMPLOYEE, HR, SUPERIOR, SUPERVISOR, Actors
from appraisal_engine.workflows.appraisal.workflow import AppraisalWorkflow
from appraisal_engine.workflows.messages import CompleteTaskInput
from tests.web.conftest import Web, form_token
from tests.workflows.driver import appraisal_input

# The national policy with an appeal window of a few seconds: the year reaches its outcome.
QUICK = NATIONAL.model_copy(update={"appeal_window_days": 0.00005})


async def year_to_its_outcome(web: Web) -> str:
    """A standalone appraisal driven to its end, results below expectation: coaching."""
    start = datetime.now(UTC) - timedelta(days=366)  # every period already due
    appraisal_id = f"appraisal-web-{uuid.uuid4().hex[:8]}"
    handle = await web.env.client.start_workflow(
        AppraisalWorkflow.run,
        appraisal_input(QUICK, year_start=start),
        id=appraisal_id,
        task_queue=web.task_queue,
    )
    actors = Actors(QUICK, results=Rating.BELOW, behaviour=Rating.MEETS)
    for _ in range(400):
        state = await handle.query(AppraisalWorkflow.state)
        if state.stage is Stage.DONE:
            return appraisal_id
        for task in [t for t in state.tasks if t.status.value == "open"]:
            body = actors.body(task)
            if body is not None:
                inp = CompleteTaskInput(task_id=task.id, actor_nip=task.assignee_nip, body=body)
                await handle.execute_update(AppraisalWorkflow.complete_task, inp)
        await asyncio.sleep(0.1)
    raise AssertionError("the year never ended")


async def test_the_supervisor_plans_and_follows_up_the_employee_reads(web: Web) -> None:
    appraisal_id = await year_to_its_outcome(web)
    supervisor = await web.signed_in(SUPERVISOR)
    page = await supervisor.get(f"/appraisals/{appraisal_id}")
    assert page.status_code == 200
    action = f'action="/appraisals/{appraisal_id}/development-plan"'
    assert action in page.text
    token = form_token(page.text)
    path = f"/appraisals/{appraisal_id}/development-plan"
    yesterday = (datetime.now(UTC) - timedelta(days=2)).date().isoformat()
    soon = (datetime.now(UTC) + timedelta(days=20)).date().isoformat()
    # The first row left blank, the second dated in the past: the error is beside row two.
    typed = {
        "items[1].kind": "technical",
        "items[1].course": "Diklat arsip digital",
        "items[1].due_on": yesterday,
    }
    r = await supervisor.post(path, data={"csrf_token": token, **typed})
    assert r.status_code == 422, r.text
    assert 'id="items[1].due_on-error"' in r.text and "Diklat arsip digital" in r.text
    typed["items[1].due_on"] = soon
    r = await supervisor.post(path, data={"csrf_token": token, **typed})
    assert r.status_code == 303, r.text

    employee = await web.signed_in(EMPLOYEE)
    mine = await employee.get(f"/appraisals/{appraisal_id}")
    assert "Rencana pengembangan" in mine.text and "Diklat arsip digital" in mine.text
    assert action not in mine.text and "/development-plan/follow-ups" not in mine.text

    page = await supervisor.get(f"/appraisals/{appraisal_id}")
    # Until it is followed up the plan may be replaced, starting from its own items.
    assert action in page.text and 'value="Diklat arsip digital"' in page.text
    follow = f"/appraisals/{appraisal_id}/development-plan/follow-ups"
    r = await supervisor.post(
        follow, data={"csrf_token": form_token(page.text), "item": "0", "done": "yes"}
    )
    assert r.status_code == 303, r.text
    again = await supervisor.post(
        follow, data={"csrf_token": form_token(page.text), "item": "0", "done": "no"}
    )
    assert again.status_code == 409
    # Followed up, the plan stands: no form to replace it, the answer shown.
    page = await supervisor.get(f"/appraisals/{appraisal_id}")
    assert action not in page.text and "Terlaksana" in page.text
    hr = await web.signed_in(HR)
    theirs = await hr.get(f"/appraisals/{appraisal_id}")
    assert "Diklat arsip digital" in theirs.text and action not in theirs.text
    superior = await web.signed_in(SUPERIOR)
    theirs = await superior.get(f"/appraisals/{appraisal_id}")
    assert theirs.status_code == 200 and "Diklat arsip digital" not in theirs.text


async def test_the_cycle_s_follow_up_page_is_hr_s_and_auditors(web: Web) -> None:
    employee = await web.signed_in(EMPLOYEE)
    r = await employee.get("/hr/cycles/kota-nobody-2031/follow-up")
    assert r.status_code == 403
    hr = await web.signed_in(HR)
    r = await hr.get("/hr/cycles/kota-nobody-2031/follow-up")
    assert r.status_code == 404
