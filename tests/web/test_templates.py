"""Every task kind has a form page, and it renders with no server (undefined names fail: the
templates use StrictUndefined): the fields a kind's body needs are on it, labelled."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from fastapi import FastAPI
from starlette.requests import Request

from appraisal_engine.domain.records import TaskRecord
from appraisal_engine.domain.tasks import TaskKind
from appraisal_engine.web.render import render
from tests.web.conftest import WEB

# A field each kind's form must offer (the rest are checked by the HTTP and browser tests).
FIELD = {
    TaskKind.TARGETS_DRAFT: "plan.targets[0].rhk",
    TaskKind.TARGETS_APPROVE: "decision",
    TaskKind.SELF_REPORT: "report.realisations[0].value",
    TaskKind.FEEDBACK: "feedback.comment",
    TaskKind.PEER_FEEDBACK: "answers.scores.akuntabel",
    TaskKind.REVIEW: "review.target_ratings.T1",
    TaskKind.APPEAL_DECIDE: "reason",
    TaskKind.MENTORSHIP_ACCEPT: "accept",
}


def request() -> Request:
    app = FastAPI()
    app.state.web_config = WEB
    scope = {
        "type": "http",
        "method": "GET",
        "path": "/tasks/t1",
        "headers": [],
        "query_string": b"",
        "app": app,
        "session": {},
    }
    return Request(scope)


@pytest.mark.parametrize("kind", list(TaskKind))
def test_every_task_kind_has_a_form_with_its_fields(kind: TaskKind) -> None:
    now = datetime.now(UTC)
    task = TaskRecord(
        id="t1",
        appraisal_id="a1",
        cycle_id=None,
        employee_nip="198001152005011001",
        kind=kind,
        assignee_nip="198001152005011002",
        opened_at=now,
        due_at=now + timedelta(days=7),
        period=1 if kind in (TaskKind.SELF_REPORT, TaskKind.FEEDBACK) else None,
        detail={"targets": ["T1", "T2"], "period": 1},
    )
    page = render(request(), f"tasks/{kind.value}.html", task=task, name=None, state=None,
                  mine=True, values={}, errors={})  # fmt: skip
    html = bytes(page.body).decode()
    assert page.status_code == 200 and 'action="/tasks/t1"' in html
    name = FIELD[kind]
    assert f'name="{name}"' in html
    if kind not in (TaskKind.TARGETS_APPROVE, TaskKind.MENTORSHIP_ACCEPT, TaskKind.PEER_FEEDBACK):
        assert re.search(rf'<label for="{re.escape(name)}">', html)  # labelled


def _page(kind: TaskKind, detail: dict[str, object]) -> str:
    now = datetime.now(UTC)
    task = TaskRecord(
        id="t1",
        appraisal_id="a1",
        cycle_id=None,
        employee_nip="198001152005011001",
        kind=kind,
        assignee_nip="198001152005011002",
        opened_at=now,
        due_at=now + timedelta(days=7),
        detail=detail,
    )
    page = render(request(), f"tasks/{kind.value}.html", task=task, name=None, state=None,
                  mine=True, values={}, errors={})  # fmt: skip
    return bytes(page.body).decode()


def test_a_survey_of_its_own_asks_only_its_questions() -> None:
    html = _page(TaskKind.PEER_FEEDBACK, {"aspects": ["kolaboratif", "komunikasi"]})
    assert set(re.findall(r'name="answers\.scores\.(\w+)"', html)) == {"kolaboratif", "komunikasi"}
    assert "Berkomunikasi dengan baik (Komunikasi)" in html
    seven = _page(TaskKind.PEER_FEEDBACK, {})
    assert len(set(re.findall(r'name="answers\.scores\.(\w+)"', seven))) == 7
    assert "komunikasi" not in seven


def test_the_review_says_what_the_peers_weigh() -> None:
    detail = {"targets": ["T1"], "peer_weight": 0.3, "peer_score": 2.5}
    html = _page(TaskKind.REVIEW, detail)
    assert "penilaian Anda berbobot 70%, rata-rata rekan kerja 2,5 (1-5) 30%" in html
    uncounted = _page(TaskKind.REVIEW, {"targets": ["T1"], "peer_weight": 0.3, "peer_score": None})
    assert "Terlalu sedikit rekan kerja yang menjawab" in uncounted
    national = _page(TaskKind.REVIEW, {"targets": ["T1"]})
    assert "rekan kerja" not in national


def test_a_review_under_a_process_policy_asks_for_each_targets_process() -> None:
    html = _page(TaskKind.REVIEW, {"targets": ["T1", "T2"], "process_weight": 0.4})
    names = set(re.findall(r'name="(review\.process_ratings\.\w+)"', html))
    assert names == {"review.process_ratings.T1", "review.process_ratings.T2"}
    assert "proses berbobot 40% dari penilaian setiap target, hasilnya 60%" in html
    # At weight 0 the process is still asked for; it decides nothing.
    zero = _page(TaskKind.REVIEW, {"targets": ["T1"], "process_weight": 0})
    assert 'name="review.process_ratings.T1"' in zero
    national = _page(TaskKind.REVIEW, {"targets": ["T1"]})
    assert "process_ratings" not in national


def test_a_feedback_without_a_report_still_asks_the_months_indicators() -> None:
    html = _page(TaskKind.FEEDBACK, {"period": 3, "report_task": None, "indicators": True})
    assert "Pegawai tidak menyampaikan laporan untuk periode ini" in html
    assert 'name="feedback.indicators.attendance"' in html
    reported = _page(TaskKind.FEEDBACK, {"period": 3, "report_task": "t2", "indicators": True})
    assert "tidak menyampaikan laporan" not in reported
    national = _page(TaskKind.FEEDBACK, {"period": 3, "report_task": "t2"})
    assert "feedback.indicators" not in national


def test_the_review_shows_the_years_discipline_and_attendance() -> None:
    summary = {
        "entered": list(range(1, 12)),
        "missing": [5],
        "attendance": 90.0,
        "breaches": 11,
        "rated": True,
        "attendance_rating": "below",
        "discipline_rating": "below",
        "attendance_floor": 95,
        "breaches_allowed": 2,
    }
    html = _page(TaskKind.REVIEW, {"targets": ["T1"], "indicators": summary})
    assert "Kehadiran 90% (standar: 95%): Di bawah ekspektasi" in html
    assert "Pelanggaran disiplin 11 (paling banyak 2)" in html
    assert "Periode tanpa catatan: 5" in html
    unrated = _page(TaskKind.REVIEW, {"targets": ["T1"], "indicators": {**summary, "rated": False}})
    assert "tahun ini tidak dinilai" in unrated


def test_a_cascaded_draft_asks_how_each_target_contributes() -> None:
    now = datetime.now(UTC)
    task = TaskRecord(
        id="t1",
        appraisal_id="a1",
        cycle_id="c1",
        employee_nip="198001152005011001",
        kind=TaskKind.TARGETS_DRAFT,
        assignee_nip="198001152005011001",
        opened_at=now,
        due_at=now + timedelta(days=7),
        detail={"parent_targets": [{"id": "K1", "rhk": "Layanan publik prima"}]},
    )
    values = {"plan.targets[0].parent_id": "K1", "plan.targets[0].contribution": "indirect"}
    page = render(request(), "tasks/targets.draft.html", task=task, name=None, state=None,
                  mine=True, values=values, errors={})  # fmt: skip
    html = bytes(page.body).decode()
    assert '<label for="plan.targets[7].contribution">' in html
    assert re.search(r'<option value="indirect" selected>\s*Tidak langsung', html)
    assert '<option value="K1" selected>K1: Layanan publik prima</option>' in html
