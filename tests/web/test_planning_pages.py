"""Planning through the pages: an approval refused without the dialogue the policy asks for,
the reason beside the dialogue in Bahasa Indonesia and what was typed kept; then approved with
the dialogue and every value's expectation, which the review shows beside each rating."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from appraisal_engine.domain.calendar import local_date
from appraisal_engine.domain.planning import PlanningPolicy
from appraisal_engine.domain.presets import NATIONAL
from appraisal_engine.domain.ratings import Dimension
from appraisal_engine.domain.records import TaskStatus
from appraisal_engine.domain.stages import Stage
from appraisal_engine.domain.tasks import TaskKind
from appraisal_engine.simulator.scripted import SUPERVISOR, Actors, drive_year, nip
from appraisal_engine.workflows.appraisal.workflow import AppraisalWorkflow
from appraisal_engine.workflows.messages import AppraisalState
from tests.web.conftest import Web, form_token, open_task, start_appraisal

STRICT = NATIONAL.model_copy(
    update={"planning": PlanningPolicy(expectations_required=True, dialogue_required=True)}
)
EXPECTED = {d: f"Harapan untuk {d.value} tahun ini" for d in Dimension}


async def test_approval_needs_the_dialogue_and_the_review_shows_each_expectation(
    web: Web,
) -> None:
    year_start = datetime.now(UTC) - timedelta(days=366)  # every report period is due
    appraisal_id = await start_appraisal(
        web.env.client, web.task_queue, policy=STRICT, year_start=year_start, employee_nip=nip(61)
    )
    handle = web.env.client.get_workflow_handle(appraisal_id)

    def open_of(kind: TaskKind) -> Callable[[AppraisalState], bool]:
        return lambda s: any(t.kind is kind and t.status is TaskStatus.OPEN for t in s.tasks)

    async def idle(_: AppraisalState) -> None:
        await asyncio.sleep(0.05)

    actors = Actors(STRICT)
    await drive_year(handle, actors, idle, until=open_of(TaskKind.TARGETS_APPROVE))

    approve_id = await open_task(web.sessions, SUPERVISOR, appraisal_id, TaskKind.TARGETS_APPROVE)
    supervisor = await web.signed_in(SUPERVISOR)
    page = await supervisor.get(f"/tasks/{approve_id}")
    assert page.status_code == 200
    assert "Kebijakan ini menyetujui rencana hanya setelah dialog kinerja dicatat." in page.text
    assert 'name="expectations.kolaboratif"' in page.text and 'name="dialogue.held_on"' in page.text
    typed = {f"expectations.{d.value}": text for d, text in EXPECTED.items()}
    form = {"csrf_token": form_token(page.text), "decision": "approve", **typed}

    r = await supervisor.post(f"/tasks/{approve_id}", data=form)
    assert r.status_code == 422, r.text
    assert 'id="dialogue-error"' in r.text
    assert "hanya setelah dialog kinerja" in r.text  # the reason, in Bahasa Indonesia
    assert "Harapan untuk kolaboratif tahun ini" in r.text  # what was typed is kept
    state = await handle.query(AppraisalWorkflow.state)
    assert state.stage is Stage.TARGETS and state.plan is not None and not state.expectations

    # A disagreement without notes is refused beside the notes.
    today = local_date(datetime.now(UTC), STRICT.time_zone).isoformat()
    dialogue = {"dialogue.held_on": today, "dialogue.agreed": "false"}
    r = await supervisor.post(f"/tasks/{approve_id}", data={**form, **dialogue})
    assert r.status_code == 422 and 'id="dialogue.notes-error"' in r.text
    dialogue["dialogue.notes"] = "Target T1 dianggap terlalu tinggi; tetap ditetapkan"
    r = await supervisor.post(f"/tasks/{approve_id}", data={**form, **dialogue})
    assert r.status_code == 303, r.text
    state = await handle.query(AppraisalWorkflow.state)
    assert state.stage is Stage.MONITORING and state.expectations == EXPECTED
    assert state.dialogue is not None and state.dialogue.agreed is False

    await drive_year(handle, actors, idle, until=open_of(TaskKind.REVIEW))
    review_id = await open_task(web.sessions, SUPERVISOR, appraisal_id, TaskKind.REVIEW)
    page = await supervisor.get(f"/tasks/{review_id}")
    assert page.status_code == 200
    for d, text in EXPECTED.items():
        assert f'data-value="{d.value}">Ekspektasi: {text}</p>' in page.text
    assert "tidak disepakati" in page.text  # the dialogue on record

    await supervisor.post(
        "/language",
        data={"lang": "en", "back": "/tasks", "csrf_token": form_token(page.text)},
    )
    english = await supervisor.get(f"/tasks/{review_id}")
    assert f'data-value="akuntabel">Expected: {EXPECTED[Dimension.AKUNTABEL]}' in english.text
    await handle.terminate()
