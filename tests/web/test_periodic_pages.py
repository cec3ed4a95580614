"""Periodic ratings through the pages: the feedback form refused without the rating the policy
asks for (the reason beside it, in Bahasa Indonesia), accepted with it; the review page lists
each period's grade and says the year's grade follows them."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from appraisal_engine.domain.periodic import PeriodicPolicy, YearGrade
from appraisal_engine.domain.presets import NATIONAL
from appraisal_engine.domain.ratings import Grade
from appraisal_engine.domain.records import TaskStatus
from appraisal_engine.domain.tasks import TaskKind
from appraisal_engine.simulator.scripted import SUPERVISOR, Actors, drive_year, nip
from appraisal_engine.workflows.appraisal.workflow import AppraisalWorkflow
from appraisal_engine.workflows.messages import AppraisalState
from tests.web.conftest import Web, form_token, open_task, start_appraisal

POLICY = NATIONAL.model_copy(
    update={"periodic": PeriodicPolicy(rating_required=True, year_grade=YearGrade.WITH_PERIODS)}
)


async def test_a_period_is_rated_with_its_feedback_and_shown_at_the_review(web: Web) -> None:
    year_start = datetime.now(UTC) - timedelta(days=366)  # every report period is due
    appraisal_id = await start_appraisal(
        web.env.client, web.task_queue, policy=POLICY, year_start=year_start, employee_nip=nip(62)
    )
    handle = web.env.client.get_workflow_handle(appraisal_id)

    def open_of(kind: TaskKind) -> Callable[[AppraisalState], bool]:
        return lambda s: any(t.kind is kind and t.status is TaskStatus.OPEN for t in s.tasks)

    async def idle(_: AppraisalState) -> None:
        await asyncio.sleep(0.05)

    actors = Actors(POLICY)
    await drive_year(handle, actors, idle, until=open_of(TaskKind.FEEDBACK))
    feedback_id = await open_task(web.sessions, SUPERVISOR, appraisal_id, TaskKind.FEEDBACK)
    supervisor = await web.signed_in(SUPERVISOR)
    page = await supervisor.get(f"/tasks/{feedback_id}")
    assert page.status_code == 200
    assert "Kebijakan ini meminta penilaian setiap periode" in page.text
    form = {"csrf_token": form_token(page.text), "feedback.comment": "Capaian sesuai rencana"}

    r = await supervisor.post(f"/tasks/{feedback_id}", data=form)
    assert r.status_code == 422, r.text
    assert 'id="feedback.rating-error"' in r.text and "kebijakan ini meminta penilaian" in r.text
    assert "Capaian sesuai rencana" in r.text  # kept as typed
    # One axis alone is refused beside the other.
    r = await supervisor.post(
        f"/tasks/{feedback_id}", data={**form, "feedback.rating.results": "above"}
    )
    assert r.status_code == 422 and 'id="feedback.rating.behaviour-error"' in r.text
    rated = {**form, "feedback.rating.results": "above", "feedback.rating.behaviour": "above"}
    r = await supervisor.post(f"/tasks/{feedback_id}", data=rated)
    assert r.status_code == 303, r.text
    state = await handle.query(AppraisalWorkflow.state)
    [n] = [t.period for t in state.tasks if t.id == feedback_id]
    assert n is not None
    rated_period = state.periods[n - 1]
    assert rated_period.feedback is not None and rated_period.feedback.rating is not None
    assert rated_period.feedback.rating.grade is Grade.SANGAT_BAIK

    await drive_year(handle, actors, idle, until=open_of(TaskKind.REVIEW))
    review_id = await open_task(web.sessions, SUPERVISOR, appraisal_id, TaskKind.REVIEW)
    page = await supervisor.get(f"/tasks/{review_id}")
    assert page.status_code == 200
    assert f'data-period="{n}">periode {n}: Sangat Baik</span>' in page.text
    others = [k for k in range(1, 5) if k != n]
    for k in others:  # the actors meet on both axes
        assert f'data-period="{k}">periode {k}: Baik</span>' in page.text
    assert "Predikat tahunan adalah rata-rata" in page.text
    detail = await supervisor.get(f"/appraisals/{appraisal_id}")
    assert detail.status_code == 200 and "dinilai Sangat Baik" in detail.text
    await handle.terminate()
