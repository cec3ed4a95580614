"""Auditors' and HR's reading pages over HTTP: the audit log filtered and paged, the chain
verified against anchors (good, wrong, malformed), an appraisal's history downloaded, and
appraisals found by filters; each refused to those it is not for."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from appraisal_engine.appraisal.dev_demo import AUDITOR
from appraisal_engine.domain import audit_kinds
from appraisal_engine.domain.tasks import TaskKind
from appraisal_engine.simulator.scripted import EMPLOYEE, HR, nip
from appraisal_engine.store.audit_chains import chain_of
from appraisal_engine.store.repositories.audit import chain_head, chain_heads
from appraisal_engine.web.pages.audit import KIND_LABELS, summary
from appraisal_engine.web.paging import filled, paged
from tests.web.conftest import Web, open_task, start_appraisal

STRANGER = nip(77)


def today() -> datetime:
    """Now on the organisation's clock (the test config's, Asia/Jakarta)."""
    return datetime.now(ZoneInfo("Asia/Jakarta"))


async def test_an_auditor_filters_the_log_by_appraisal_kind_and_day(web: Web) -> None:
    appraisal_id = await start_appraisal(web.env.client, web.task_queue)
    await open_task(web.sessions, EMPLOYEE, appraisal_id, TaskKind.TARGETS_DRAFT)
    auditor = await web.signed_in(AUDITOR)
    page = await auditor.get(f"/appraisals/{appraisal_id}")  # an auditor's read is logged
    assert page.status_code == 200 and 'href="/audit"' in page.text

    def query(**filters: str) -> str:
        return "/audit?" + urlencode({"appraisal_id": appraisal_id, **filters})

    r = await auditor.get(query(kind=audit_kinds.AUDITOR_READ))
    assert r.status_code == 200, r.text
    assert "Dibaca auditor" in r.text and "read: state" in r.text and AUDITOR in r.text
    day = today().date()
    r = await auditor.get(query(since=day.isoformat(), until=day.isoformat()))
    assert "read: state" in r.text  # a day is the whole day
    r = await auditor.get(query(until=(day - timedelta(days=1)).isoformat()))
    assert r.status_code == 200 and "read: state" not in r.text
    assert "Tidak ada peristiwa" in r.text
    r = await auditor.get(query(kind=audit_kinds.APPRAISAL_CANCELLED))
    assert "read: state" not in r.text

    r = await auditor.get(query(since="kemarin"))
    assert r.status_code == 422 and 'id="since-error"' in r.text and 'value="kemarin"' in r.text


async def test_the_log_and_its_verification_are_for_auditors_only(web: Web) -> None:
    for who in (HR, EMPLOYEE):
        client = await web.signed_in(who)
        page = await client.get("/tasks")
        assert 'href="/audit"' not in page.text
        assert (await client.get("/audit")).status_code == 403
        assert (await client.get("/audit/verify")).status_code == 403
        assert (await client.get("/audit/verify?run=1")).status_code == 403


async def test_the_chain_verifies_against_a_good_anchor_and_breaks_on_a_wrong_one(
    web: Web,
) -> None:
    appraisal_id = await start_appraisal(web.env.client, web.task_queue)
    await open_task(web.sessions, EMPLOYEE, appraisal_id, TaskKind.TARGETS_DRAFT)  # page exists
    auditor = await web.signed_in(AUDITOR)
    await auditor.get(f"/appraisals/{appraisal_id}")  # at least one row in the read's chain
    async with web.sessions() as session:
        head = await chain_head(session, chain_of(None, appraisal_id))
        heads = await chain_heads(session)
    anchor = head.anchor
    assert anchor == f"{head.chain}:{head.seq}:{head.hash}"

    page = await auditor.get("/audit/verify")
    assert page.status_code == 200 and "Ujung setiap rantai saat ini" in page.text
    assert all(h.anchor in page.text for h in heads)  # every chain's anchor to record
    r = await auditor.get("/audit/verify", params={"run": "1", "anchors": f"\n{anchor}\n"})
    assert r.status_code == 200 and "Rantai utuh" in r.text
    wrong = f"{head.chain}:{head.seq}:{'0' * 64}"
    r = await auditor.get("/audit/verify", params={"run": "1", "anchors": wrong})
    assert r.status_code == 200 and "Rantai rusak" in r.text
    assert f"<dd>{head.chain}</dd>" in r.text  # the first broken chain is the anchored one
    assert f"<dd>{head.seq}</dd>" in r.text  # and its first broken seq the anchored one
    if len(heads) > 1:
        assert "<td>Utuh</td>" in r.text  # the other chains still verify

    typed = f"{anchor}\n12:abc"
    r = await auditor.get("/audit/verify", params={"run": "1", "anchors": typed})
    assert r.status_code == 422 and 'id="anchors-error"' in r.text
    assert "Baris 2" in r.text and "12:abc" in r.text  # the line named, the text kept
    assert "Rantai utuh" not in r.text and "Rantai rusak" not in r.text  # nothing verified


async def test_the_history_downloads_for_hr_and_auditors_only(web: Web) -> None:
    appraisal_id = await start_appraisal(web.env.client, web.task_queue)
    await open_task(web.sessions, EMPLOYEE, appraisal_id, TaskKind.TARGETS_DRAFT)
    path = f"/appraisals/{appraisal_id}/history.json"
    for who in (HR, AUDITOR):
        client = await web.signed_in(who)
        page = await client.get(f"/appraisals/{appraisal_id}")
        assert f'href="{path}"' in page.text
        r = await client.get(path)
        assert r.status_code == 200 and r.headers["content-type"].startswith("application/json")
        assert r.headers["content-disposition"].startswith("attachment;")
        assert json.loads(r.text)["events"]
    employee = await web.signed_in(EMPLOYEE)
    assert f'href="{path}"' not in (await employee.get(f"/appraisals/{appraisal_id}")).text
    assert (await employee.get(path)).status_code == 403  # theirs to read, not to export
    stranger = await web.signed_in(STRANGER)
    assert (await stranger.get(path)).status_code == 404


async def test_hr_finds_appraisals_by_their_filters(web: Web) -> None:
    appraisal_id = await start_appraisal(web.env.client, web.task_queue)
    await open_task(web.sessions, EMPLOYEE, appraisal_id, TaskKind.TARGETS_DRAFT)
    hr = await web.signed_in(HR)
    assert 'href="/find"' in (await hr.get("/tasks")).text
    link = f'href="/appraisals/{appraisal_id}"'
    r = await hr.get("/find", params={"unit": "DUKCAPIL", "stage": "targets", "assignee": EMPLOYEE})
    assert r.status_code == 200 and link in r.text
    assert 'value="DUKCAPIL"' in r.text  # the filters stay as chosen
    for other in (
        {"unit": "BAPPEDA"},
        {"stage": "review"},
        {"grade": "baik"},
        {"assignee": STRANGER},
    ):
        r = await hr.get("/find", params={"unit": "DUKCAPIL", **other})
        assert r.status_code == 200 and link not in r.text
    r = await hr.get("/find", params={"stage": "bogus", "unit": "DUKCAPIL"})
    assert r.status_code == 422 and 'id="stage-error"' in r.text and link not in r.text
    auditor = await web.signed_in(AUDITOR)
    assert link in (await auditor.get("/find", params={"assignee": EMPLOYEE})).text

    employee = await web.signed_in(EMPLOYEE)
    assert 'href="/find"' not in (await employee.get("/tasks")).text
    assert (await employee.get("/find")).status_code == 403


def test_every_event_kind_has_a_label_and_payloads_stay_short() -> None:
    spelled = {v for k, v in vars(audit_kinds).items() if k.isupper() and isinstance(v, str)}
    assert spelled == set(KIND_LABELS)
    assert summary({"task_id": "t1", "period": 2}) == "task_id: t1; period: 2"
    assert len(summary({"reason": "x" * 500})) == 160


def test_pages_link_to_their_neighbours_keeping_the_filters() -> None:
    filters = filled(unit=" DUKCAPIL ", stage="", grade="baik")
    assert filters == {"unit": "DUKCAPIL", "grade": "baik"}
    first = paged("/find", filters, list(range(51)), 0)
    assert len(first.rows) == 50 and first.previous is None
    assert first.next == "/find?unit=DUKCAPIL&grade=baik&offset=50"
    last = paged("/find", filters, list(range(3)), 50)
    assert last.next is None and last.previous == "/find?unit=DUKCAPIL&grade=baik"


async def test_a_malformed_query_is_a_page_not_a_problem_document(web: Web) -> None:
    auditor = await web.signed_in(AUDITOR)
    for path in ("/audit?offset=abc", "/audit?offset=-1", "/find?offset=x"):
        r = await auditor.get(path)
        assert r.status_code == 422, (path, r.text)
        assert r.headers["content-type"].startswith("text/html"), path
        assert "<html" in r.text and "problem+json" not in r.headers["content-type"]
