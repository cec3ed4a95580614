"""The web app over HTTP: sign-in, the inbox, a task's form refused with its errors beside the
fields and what was typed kept, then accepted; a plan returned and resubmitted; forms without
the session's token and other people's tasks refused; text shown as text; the page headers."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from appraisal_engine.domain.presets import NATIONAL
from appraisal_engine.domain.ratings import Dimension, Grade
from appraisal_engine.domain.records import TaskStatus
from appraisal_engine.domain.review import Review, assess_under
from appraisal_engine.domain.stages import Stage
from appraisal_engine.domain.tasks import TaskKind
from appraisal_engine.simulator.scripted import EMPLOYEE, SUPERVISOR, Actors, drive_year, nip
from appraisal_engine.store.repositories.tasks import get_task
from appraisal_engine.workflows.appraisal.workflow import AppraisalWorkflow
from appraisal_engine.workflows.messages import AppraisalState
from tests.web.conftest import Web, form_token, open_task, start_appraisal

STRANGER = nip(77)


def draft_form(page: str, **fields: str) -> dict[str, str]:
    """A filled targets draft: two targets unless told otherwise, the rest of the rows empty."""
    data = {
        "csrf_token": form_token(page),
        "plan.targets[0].rhk": "Layanan KTP-el tepat waktu",
        "plan.targets[0].iki": "Persentase KTP-el terbit dalam 3 hari",
        "plan.targets[0].target_value": "95",
        "plan.targets[0].target_unit": "%",
        "plan.targets[0].kind": "utama",
        "plan.targets[1].rhk": "Laporan bulanan pelayanan",
        "plan.targets[1].iki": "Jumlah laporan tersusun",
        "plan.targets[1].target_value": "12",
        "plan.targets[1].target_unit": "dokumen",
        "plan.targets[1].kind": "tambahan",
        "plan.behaviour_expectations": "Ramah dan tepat waktu",
    }
    data.update(fields)
    return data


async def test_pages_need_a_signed_in_person(web: Web) -> None:
    async with web.anonymous() as anon:
        r = await anon.get("/tasks")
        assert r.status_code == 303 and r.headers["location"] == "/signin?next=/tasks"
        r = await anon.get("/signin")
        assert r.status_code == 200
        assert 'lang="id"' in r.text and "Masuk" in r.text  # Bahasa Indonesia by default


async def test_a_draft_is_refused_field_by_field_then_accepted_returned_and_resubmitted(
    web: Web,
) -> None:
    appraisal_id = await start_appraisal(web.env.client, web.task_queue)
    draft_id = await open_task(web.sessions, EMPLOYEE, appraisal_id, TaskKind.TARGETS_DRAFT)
    employee = await web.signed_in(EMPLOYEE)
    inbox = await employee.get("/tasks")
    assert inbox.status_code == 200 and f"/tasks/{draft_id}" in inbox.text

    page = await employee.get(f"/tasks/{draft_id}")
    assert page.status_code == 200
    bad = draft_form(page.text, **{"plan.targets[1].target_value": "dua belas"})
    r = await employee.post(f"/tasks/{draft_id}", data=bad)
    assert r.status_code == 422
    # The error sits beside its field, and what was typed is still there.
    assert 'id="plan.targets[1].target_value-error"' in r.text
    assert 'value="dua belas"' in r.text and "Laporan bulanan pelayanan" in r.text
    async with web.sessions() as session:
        task = await get_task(session, draft_id)
    assert task is not None and task.status is TaskStatus.OPEN

    r = await employee.post(f"/tasks/{draft_id}", data=draft_form(page.text))
    assert r.status_code == 303 and r.headers["location"] == "/tasks"

    approve_id = await open_task(web.sessions, SUPERVISOR, appraisal_id, TaskKind.TARGETS_APPROVE)
    supervisor = await web.signed_in(SUPERVISOR)
    page = await supervisor.get(f"/tasks/{approve_id}")
    assert "Layanan KTP-el tepat waktu" in page.text  # the draft is shown
    comment = "Tambahkan target <script>alert(1)</script> survei kepuasan"
    r = await supervisor.post(
        f"/tasks/{approve_id}",
        data={"csrf_token": form_token(page.text), "decision": "return", "comment": comment},
    )
    assert r.status_code == 303

    again = await open_task(web.sessions, EMPLOYEE, appraisal_id, TaskKind.TARGETS_DRAFT)
    page = await employee.get(f"/tasks/{again}")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text and "<script>alert" not in page.text
    extra = {
        "plan.targets[2].rhk": "Survei kepuasan masyarakat",
        "plan.targets[2].iki": "Indeks kepuasan",
        "plan.targets[2].target_value": "80",
        "plan.targets[2].target_unit": "indeks",
    }
    r = await employee.post(f"/tasks/{again}", data=draft_form(page.text, **extra))
    assert r.status_code == 303
    approve_again = await open_task(
        web.sessions, SUPERVISOR, appraisal_id, TaskKind.TARGETS_APPROVE
    )
    page = await supervisor.get(f"/tasks/{approve_again}")
    r = await supervisor.post(
        f"/tasks/{approve_again}",
        data={"csrf_token": form_token(page.text), "decision": "approve"},
    )
    assert r.status_code == 303
    state = await web.env.client.get_workflow_handle(appraisal_id).query(AppraisalWorkflow.state)
    assert state.stage is Stage.MONITORING
    assert state.plan is not None and [t.id for t in state.plan.targets] == ["T1", "T2", "T3"]

    page = await employee.get(f"/appraisals/{appraisal_id}")
    assert page.status_code == 200 and 'aria-current="step"' in page.text


async def test_forms_without_the_session_token_or_for_others_change_nothing(web: Web) -> None:
    appraisal_id = await start_appraisal(web.env.client, web.task_queue)
    draft_id = await open_task(web.sessions, EMPLOYEE, appraisal_id, TaskKind.TARGETS_DRAFT)
    employee = await web.signed_in(EMPLOYEE)
    page = await employee.get(f"/tasks/{draft_id}")
    forged = draft_form(page.text)
    forged.pop("csrf_token")
    r = await employee.post(f"/tasks/{draft_id}", data=forged)
    assert r.status_code == 403
    r = await employee.post(f"/tasks/{draft_id}", data={**forged, "csrf_token": "guessed"})
    assert r.status_code == 403

    stranger = await web.signed_in(STRANGER)
    page = await stranger.get("/tasks")
    assert (await stranger.get(f"/tasks/{draft_id}")).status_code == 404
    assert (await stranger.get(f"/appraisals/{appraisal_id}")).status_code == 404
    r = await stranger.post(f"/tasks/{draft_id}", data=draft_form(page.text))
    assert r.status_code == 404

    # The supervisor sees the appraisal, but the employee's task is not theirs: as the API.
    supervisor = await web.signed_in(SUPERVISOR)
    assert (await supervisor.get(f"/appraisals/{appraisal_id}")).status_code == 200
    page = await supervisor.get("/tasks")
    assert (await supervisor.get(f"/tasks/{draft_id}")).status_code == 404
    r = await supervisor.post(f"/tasks/{draft_id}", data=draft_form(page.text))
    assert r.status_code == 404
    async with web.sessions() as session:
        task = await get_task(session, draft_id)
    assert task is not None and task.status is TaskStatus.OPEN


async def test_pages_carry_the_security_headers_and_a_locked_down_cookie(web: Web) -> None:
    async with web.anonymous() as anon:
        r = await anon.get("/signin")
    csp = r.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp and r.headers["x-frame-options"] == "DENY"
    cookie = r.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie
    # No inline script anywhere: every script is a file of the app's own.
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", r.text)
    assert '<script src="/static/web/htmx-2.0.11.min.js"' in r.text


async def test_sign_in_goes_back_only_to_this_site(web: Web) -> None:
    async with web.anonymous() as anon:
        page = await anon.get("/signin")
        r = await anon.post(
            "/signin",
            data={"nip": EMPLOYEE, "csrf_token": form_token(page.text), "next": "//evil.example"},
        )
    assert r.status_code == 303 and r.headers["location"] == "/tasks"


async def test_the_language_switch_turns_the_pages_english(web: Web) -> None:
    employee = await web.signed_in(EMPLOYEE)
    page = await employee.get("/tasks")
    assert "Tugas saya" in page.text
    r = await employee.post(
        "/language", data={"lang": "en", "back": "/tasks", "csrf_token": form_token(page.text)}
    )
    assert r.status_code == 303
    page = await employee.get("/tasks")
    assert "My tasks" in page.text and 'lang="en"' in page.text


async def test_a_self_report_and_a_review_are_completed_through_their_forms(web: Web) -> None:
    year_start = datetime.now(UTC) - timedelta(days=366)  # every report period is due
    appraisal_id = await start_appraisal(web.env.client, web.task_queue, year_start=year_start)
    handle = web.env.client.get_workflow_handle(appraisal_id)

    def open_of(kind: TaskKind) -> Callable[[AppraisalState], bool]:
        return lambda s: any(t.kind is kind and t.status is TaskStatus.OPEN for t in s.tasks)

    async def idle(_: AppraisalState) -> None:
        await asyncio.sleep(0.05)

    await drive_year(handle, Actors(NATIONAL), idle, until=open_of(TaskKind.SELF_REPORT))
    report_id = await open_task(web.sessions, EMPLOYEE, appraisal_id, TaskKind.SELF_REPORT)
    employee = await web.signed_in(EMPLOYEE)
    page = await employee.get(f"/tasks/{report_id}")
    assert page.status_code == 200
    state = await handle.query(AppraisalWorkflow.state)
    assert state.plan is not None
    fields = {"csrf_token": form_token(page.text)}
    for i, target in enumerate(state.plan.targets):
        assert f'value="{target.id}"' in page.text  # one row per approved target
        fields[f"report.realisations[{i}].target_id"] = target.id
        fields[f"report.realisations[{i}].value"] = "3"
    fields["report.realisations[0].evidence[]"] = "https://arsip.example.go.id/1\nftp://nope"
    r = await employee.post(f"/tasks/{report_id}", data=fields)
    assert r.status_code == 422 and 'id="report.realisations[0].evidence[]-error"' in r.text
    assert "ftp://nope" in r.text  # kept as typed
    fields["report.realisations[0].evidence[]"] = "https://arsip.example.go.id/1"
    r = await employee.post(f"/tasks/{report_id}", data=fields)
    assert r.status_code == 303, r.text

    await drive_year(handle, Actors(NATIONAL), idle, until=open_of(TaskKind.REVIEW))
    review_id = await open_task(web.sessions, SUPERVISOR, appraisal_id, TaskKind.REVIEW)
    supervisor = await web.signed_in(SUPERVISOR)
    page = await supervisor.get(f"/tasks/{review_id}")
    state = await handle.query(AppraisalWorkflow.state)
    assert state.plan is not None
    ratings = {f"review.target_ratings.{t.id}": "above" for t in state.plan.targets}
    ratings |= {f"review.behaviour_ratings.{d.value}": "above" for d in Dimension}
    token = form_token(page.text)
    # The preview is the domain's own assessment of what the form holds.
    expected = assess_under(
        NATIONAL,
        Review.model_validate(
            {
                "target_ratings": {t.id: "above" for t in state.plan.targets},
                "behaviour_ratings": {d.value: "above" for d in Dimension},
            }
        ),
        state.plan,
        state.community_score,
        unit_code=state.unit_code,
    )
    partial = await supervisor.post(
        f"/tasks/{review_id}/preview", data=ratings, headers={"X-CSRF-Token": token}
    )
    assert partial.status_code == 200 and "<html" not in partial.text
    assert expected.grade is Grade.SANGAT_BAIK and "Sangat Baik" in partial.text
    incomplete = dict(list(ratings.items())[:-1])
    partial = await supervisor.post(
        f"/tasks/{review_id}/preview", data=incomplete, headers={"X-CSRF-Token": token}
    )
    assert "Sangat Baik" not in partial.text
    forged = await supervisor.post(f"/tasks/{review_id}/preview", data=ratings)
    assert forged.status_code == 403

    r = await supervisor.post(f"/tasks/{review_id}", data={**ratings, "csrf_token": token})
    assert r.status_code == 303, r.text
    state = await handle.query(AppraisalWorkflow.state)
    assert state.assessment is not None and state.assessment.grade is expected.grade


async def test_a_form_post_missing_a_field_every_page_sends_is_refused_as_incomplete(
    web: Web,
) -> None:
    async with web.anonymous() as anon:
        page = await anon.get("/signin")
        r = await anon.post("/signin", data={"csrf_token": form_token(page.text)})
        assert r.status_code == 422 and "Permintaan tidak lengkap" in r.text
        assert (await anon.get("/tasks")).status_code == 303  # still nobody signed in
