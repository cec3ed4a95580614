"""The presets that judge differently, in the web app. Bukittinggi: the peer's form asks the
policy's two questions and refuses an answer missing one beside the questions, the appraiser's
review says what the peers weigh and previews the weighted grade, and the appraisal page shows
both ratings. Binjai: the review asks the process behind each target, refuses a review missing
one beside it, previews the weighted results, and the appraisal page shows both ratings."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from appraisal_engine.domain.presets import preset
from appraisal_engine.domain.ratings import Dimension, Grade, Rating
from appraisal_engine.domain.records import TaskStatus
from appraisal_engine.domain.stages import Stage
from appraisal_engine.domain.tasks import TaskKind
from appraisal_engine.simulator.scripted import EMPLOYEE, PEERS, SUPERVISOR, Actors, drive_year
from appraisal_engine.workflows.appraisal.workflow import AppraisalWorkflow
from appraisal_engine.workflows.messages import AppraisalState
from tests.web.conftest import Web, form_token, open_task
from tests.workflows.driver import appraisal_input

BUKITTINGGI = preset("bukittinggi")
BINJAI = preset("binjai")


def open_of(kind: TaskKind) -> Callable[[AppraisalState], bool]:
    return lambda s: any(t.kind is kind and t.status is TaskStatus.OPEN for t in s.tasks)


async def idle(_: AppraisalState) -> None:
    await asyncio.sleep(0.05)


async def test_a_peer_answers_two_questions_and_the_review_weighs_the_peers(web: Web) -> None:
    appraisal_id = f"appraisal-web-{uuid.uuid4().hex[:8]}"
    year_start = datetime.now(UTC) - timedelta(days=366)  # every report period is due
    handle = await web.env.client.start_workflow(
        AppraisalWorkflow.run,
        appraisal_input(BUKITTINGGI, year_start=year_start),
        id=appraisal_id,
        task_queue=web.task_queue,
    )

    # The other two peers answer 1 of 5 on both questions; the first answers through the page.
    actors = Actors(BUKITTINGGI, results=Rating.ABOVE, behaviour=Rating.ABOVE, peer_score=1)
    actors.skip = lambda t: t.kind is TaskKind.PEER_FEEDBACK and t.assignee_nip == PEERS[0]
    await drive_year(handle, actors, idle, until=open_of(TaskKind.PEER_FEEDBACK))
    survey_id = await open_task(web.sessions, PEERS[0], appraisal_id, TaskKind.PEER_FEEDBACK)
    peer = await web.signed_in(PEERS[0])
    page = await peer.get(f"/tasks/{survey_id}")
    assert page.status_code == 200
    assert 'name="answers.scores.kolaboratif"' in page.text
    assert 'name="answers.scores.komunikasi"' in page.text
    assert 'name="answers.scores.akuntabel"' not in page.text
    token = form_token(page.text)
    half = {"csrf_token": token, "answers.scores.kolaboratif": "1"}
    r = await peer.post(f"/tasks/{survey_id}", data=half)
    assert r.status_code == 422
    assert 'id="answers.scores-error"' in r.text
    assert "setiap pertanyaan perlu diberi nilai; belum dinilai: komunikasi" in r.text
    r = await peer.post(f"/tasks/{survey_id}", data={**half, "answers.scores.komunikasi": "1"})
    assert r.status_code == 303, r.text

    await drive_year(handle, actors, idle, until=open_of(TaskKind.REVIEW))
    review_id = await open_task(web.sessions, SUPERVISOR, appraisal_id, TaskKind.REVIEW)
    supervisor = await web.signed_in(SUPERVISOR)
    page = await supervisor.get(f"/tasks/{review_id}")
    assert "penilaian Anda berbobot 70%, rata-rata rekan kerja 1 (1-5) 30%" in page.text
    state = await handle.query(AppraisalWorkflow.state)
    assert state.plan is not None
    ratings = {f"review.target_ratings.{t.id}": "above" for t in state.plan.targets}
    ratings |= {f"review.behaviour_ratings.{d.value}": "above" for d in Dimension}
    token = form_token(page.text)
    partial = await supervisor.post(
        f"/tasks/{review_id}/preview", data=ratings, headers={"X-CSRF-Token": token}
    )
    # Above with the peers' 1 at 30% is 3.1: meets, so Baik, not Sangat Baik.
    assert "<strong>Baik</strong>" in partial.text and "Sangat Baik" not in partial.text
    assert "penilaian Anda sendiri: Di atas ekspektasi" in partial.text
    r = await supervisor.post(f"/tasks/{review_id}", data={**ratings, "csrf_token": token})
    assert r.status_code == 303, r.text

    state = await drive_year(handle, actors, idle, until=lambda s: s.stage is Stage.APPEAL)
    assert state.assessment is not None and state.assessment.grade is Grade.BAIK
    employee = await web.signed_in(EMPLOYEE)
    page = await employee.get(f"/appraisals/{appraisal_id}")
    assert page.status_code == 200
    assert "penilaian pejabat penilai Di atas ekspektasi" in page.text
    assert "rata-rata rekan kerja 1 (1-5)" in page.text


async def test_a_binjai_review_rates_the_process_behind_each_result(web: Web) -> None:
    appraisal_id = f"appraisal-web-{uuid.uuid4().hex[:8]}"
    year_start = datetime.now(UTC) - timedelta(days=366)
    handle = await web.env.client.start_workflow(
        AppraisalWorkflow.run,
        appraisal_input(BINJAI, year_start=year_start),
        id=appraisal_id,
        task_queue=web.task_queue,
    )
    actors = Actors(BINJAI)
    await drive_year(handle, actors, idle, until=open_of(TaskKind.REVIEW))
    review_id = await open_task(web.sessions, SUPERVISOR, appraisal_id, TaskKind.REVIEW)
    supervisor = await web.signed_in(SUPERVISOR)
    page = await supervisor.get(f"/tasks/{review_id}")
    state = await handle.query(AppraisalWorkflow.state)
    assert state.plan is not None
    for t in state.plan.targets:
        assert f'name="review.process_ratings.{t.id}"' in page.text
    token = form_token(page.text)
    ratings = {f"review.target_ratings.{t.id}": "above" for t in state.plan.targets}
    ratings |= {f"review.behaviour_ratings.{d.value}": "above" for d in Dimension}
    r = await supervisor.post(f"/tasks/{review_id}", data={**ratings, "csrf_token": token})
    assert r.status_code == 422
    assert 'id="review.process_ratings-error"' in r.text
    assert "belum ada penilaian proses untuk target" in r.text
    ratings |= {f"review.process_ratings.{t.id}": "below" for t in state.plan.targets}
    partial = await supervisor.post(
        f"/tasks/{review_id}/preview", data=ratings, headers={"X-CSRF-Token": token}
    )
    # Results above, every process below: 0.6 * 4 + 0.4 * 2 = 3.2, meets, so Baik.
    assert "<strong>Baik</strong>" in partial.text
    assert "hasil kerja saja: Di atas ekspektasi" in partial.text
    r = await supervisor.post(f"/tasks/{review_id}", data={**ratings, "csrf_token": token})
    assert r.status_code == 303, r.text
    state = await drive_year(handle, actors, idle, until=lambda s: s.stage is Stage.APPEAL)
    assert state.assessment is not None and state.assessment.grade is Grade.BAIK
    employee = await web.signed_in(EMPLOYEE)
    page = await employee.get(f"/appraisals/{appraisal_id}")
    assert (
        "hasil kerja saja Di atas ekspektasi, ditimbang dengan cara hasil itu dicapai" in page.text
    )


async def test_a_tanjungbalai_feedback_records_the_months_discipline_and_attendance(
    web: Web,
) -> None:
    appraisal_id = f"appraisal-web-{uuid.uuid4().hex[:8]}"
    year_start = datetime.now(UTC) - timedelta(days=366)
    policy = preset("tanjungbalai")
    handle = await web.env.client.start_workflow(
        AppraisalWorkflow.run,
        appraisal_input(policy, year_start=year_start),
        id=appraisal_id,
        task_queue=web.task_queue,
    )
    actors = Actors(policy)
    actors.skip = lambda t: t.kind is TaskKind.FEEDBACK and t.period == 1
    await drive_year(handle, actors, idle, until=open_of(TaskKind.FEEDBACK))
    feedback_id = await open_task(web.sessions, SUPERVISOR, appraisal_id, TaskKind.FEEDBACK)
    supervisor = await web.signed_in(SUPERVISOR)
    page = await supervisor.get(f"/tasks/{feedback_id}")
    assert 'name="feedback.indicators.attendance"' in page.text
    assert 'name="feedback.indicators.discipline_breaches"' in page.text
    assert "Disiplin dan kehadiran periode ini" in page.text
    token = form_token(page.text)
    fields = {"csrf_token": token, "feedback.comment": "Pertahankan"}
    r = await supervisor.post(f"/tasks/{feedback_id}", data=fields)
    assert r.status_code == 422
    assert 'id="feedback.indicators-error"' in r.text
    assert "kebijakan ini memerlukan kehadiran dan jumlah pelanggaran disiplin" in r.text
    assert "Pertahankan" in r.text  # what was typed is kept
    fields |= {
        "feedback.indicators.attendance": "101",
        "feedback.indicators.discipline_breaches": "0",
    }
    r = await supervisor.post(f"/tasks/{feedback_id}", data=fields)
    assert r.status_code == 422 and 'id="feedback.indicators.attendance-error"' in r.text
    fields["feedback.indicators.attendance"] = "96.5"
    r = await supervisor.post(f"/tasks/{feedback_id}", data=fields)
    assert r.status_code == 303, r.text
    state = await handle.query(AppraisalWorkflow.state)
    fb = state.periods[0].feedback
    assert fb is not None and fb.indicators is not None
    assert (fb.indicators.attendance, fb.indicators.discipline_breaches) == (96.5, 0)

    # The year: month 1 at 96.5%, the others at 100%, no breach; both standards met.
    state = await drive_year(handle, actors, idle, until=lambda s: s.stage is Stage.APPEAL)
    a = state.assessment
    assert a is not None and a.indicators is not None and a.indicators.attendance == 99.71
    employee = await web.signed_in(EMPLOYEE)
    page = await employee.get(f"/appraisals/{appraisal_id}")
    assert "kehadiran 99,71%: Sesuai ekspektasi; 0 pelanggaran disiplin: Sesuai ekspektasi" in (
        page.text
    )
