"""Hostile input through the API: SQL-looking text is data (stored and read back as written,
never run, the tables and the audit chain intact), SQL-looking filters find nothing, uploads
past the size and row limits or in another encoding store nothing, and evidence links are
http(s) URLs only."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from temporalio.testing import WorkflowEnvironment

from appraisal_engine.api.app import create_app
from appraisal_engine.api.config import ApiConfig
from appraisal_engine.api.roles import Role
from appraisal_engine.domain.presets import NATIONAL
from appraisal_engine.domain.records import TaskRecord
from appraisal_engine.domain.tasks import TaskKind
from appraisal_engine.simulator.roster import generate_roster, roster_csv
from appraisal_engine.simulator.scripted import Actors, nip
from appraisal_engine.store.models import AppraisalRow, AuditEventRow, EmployeeRow, RosterRow
from appraisal_engine.workflows.appraisal.workflow import AppraisalWorkflow
from tests.api.conftest import AUTH, Api, bearer
from tests.api.test_export import AUDITOR, launch, roster_json, upload, with_texts
from tests.workflows.cycle_driver import HR
from tests.workflows.driver import appraisal_input

PROBLEM = "application/problem+json"
SQL = ["Robert'); DROP TABLE employees;--", "' OR '1'='1", "1; DELETE FROM audit_events"]
TABLES = {
    "rosters": RosterRow,
    "employees": EmployeeRow,
    "appraisals": AppraisalRow,
    "audit_events": AuditEventRow,
}
HR_AUDITOR = bearer(HR, Role.HR, Role.AUDITOR)


async def counts(api: Api) -> dict[str, int]:
    """Rows in each table the hostile text names or could reach."""
    async with api.sessions() as session:
        return {
            name: int(await session.scalar(select(func.count()).select_from(model)) or 0)
            for name, model in TABLES.items()
        }


async def test_sql_looking_roster_text_is_stored_and_read_back_as_written(api: Api) -> None:
    employees = with_texts(SQL)
    before = await counts(api)
    roster_id = await upload(api, employees)
    stored = {e["nip"]: e for e in await roster_json(api, roster_id)}
    assert {n: (e["name"], e["unit_name"], e["position"]) for n, e in stored.items()} == {
        e.nip: (e.name, e.unit_name, e.position) for e in employees
    }
    assert {e["name"] for e in stored.values()} == set(SQL)
    cycle_id = await launch(api, roster_id, len(employees))
    settled = await counts(api)
    assert settled["rosters"] == before["rosters"] + 1
    assert settled["employees"] == before["employees"] + len(employees)
    assert settled["appraisals"] == before["appraisals"] + len(employees)
    assert settled["audit_events"] >= before["audit_events"]

    # SQL in filters is a value to compare with, nothing more: an empty page or a 422.
    empty = [
        ("/v1/appraisals", {"unit": "' OR '1'='1"}),
        ("/v1/appraisals", {"unit": SQL[0]}),
        ("/v1/appraisals", {"cycle_id": f"{cycle_id}' OR '1'='1"}),
        ("/v1/appraisals", {"cycle_id": cycle_id, "unit": "' OR 1=1 --"}),
        ("/v1/appraisals", {"assignee": "' OR '1'='1"}),
        ("/v1/tasks", {"assignee": "' OR '1'='1"}),
        ("/v1/audit/events", {"actor": "' OR '1'='1"}),
        ("/v1/audit/events", {"actor": SQL[2]}),
        ("/v1/audit/events", {"kind": "x' UNION SELECT * FROM employees --"}),
        ("/v1/audit/events", {"cycle_id": f"{cycle_id}' OR '1'='1"}),
        ("/v1/audit/events", {"appraisal_id": "1 OR 1=1"}),
    ]
    for path, params in empty:
        r = await api.http.get(path, params=params, headers=HR_AUDITOR)
        assert r.status_code == 200, (path, params, r.text)
        assert r.json()["items"] == [], (path, params)
    mine = await api.http.get(
        "/v1/appraisals", params={"unit": "' OR '1'='1"}, headers=bearer(employees[0].nip)
    )
    assert mine.status_code == 200 and mine.json()["items"] == []
    refused = [
        ("/v1/appraisals", {"stage": "targets' OR '1'='1"}),
        ("/v1/appraisals", {"grade": "baik' OR '1'='1"}),
        ("/v1/appraisals", {"limit": "1 OR 1=1"}),
        ("/v1/appraisals", {"offset": "0; DROP TABLE appraisals"}),
        ("/v1/appraisals", {"unit": "x' OR '1'='1' UNION SELECT name FROM employees --"}),
        ("/v1/audit/events", {"since": "' OR '1'='1"}),
        ("/v1/appraisals", {"unit; DROP TABLE appraisals": "x"}),
    ]
    for path, params in refused:
        r = await api.http.get(path, params=params, headers=HR_AUDITOR)
        assert r.status_code == 422 and r.headers["content-type"] == PROBLEM, (path, params)
    for path in (
        "/v1/rosters/' OR '1'='1",
        "/v1/rosters/' OR '1'='1/employees",
        f"/v1/appraisals/appraisal-{cycle_id}-' OR '1'='1",
        "/v1/cycles/x' OR '1'='1",
        "/v1/cycles/x' OR '1'='1/grades.csv",
    ):
        r = await api.http.get(path, headers=HR_AUDITOR)
        assert r.status_code == 404 and r.headers["content-type"] == PROBLEM, path

    after = await counts(api)
    for table in ("rosters", "employees", "appraisals"):
        assert after[table] == settled[table], table
    assert after["audit_events"] >= settled["audit_events"]
    verified = await api.http.get("/v1/audit/verify", headers=bearer(AUDITOR, Role.AUDITOR))
    assert verified.status_code == 200 and verified.json()["ok"], verified.text


async def open_task(api: Api, who: str, appraisal_id: str, kind: TaskKind) -> TaskRecord:
    """`who`'s open task of `kind` on the appraisal, once the inbox has it."""
    for _ in range(200):
        r = await api.http.get(
            "/v1/tasks", params={"status": "open", "kind": kind.value}, headers=bearer(who)
        )
        found = [t for t in r.json()["items"] if t["appraisal_id"] == appraisal_id]
        if found:
            return TaskRecord.model_validate(found[0])
        await asyncio.sleep(0.05)
    raise AssertionError(f"no open {kind.value} task for {who}")


async def test_sql_looking_free_text_is_stored_and_only_http_evidence_accepted(api: Api) -> None:
    employee, supervisor, superior = nip(71), nip(72), nip(73)
    appraisal_id = f"appraisal-hostile-{uuid.uuid4().hex[:8]}"
    inp = appraisal_input(
        NATIONAL,
        employee_nip=employee,
        supervisor_nip=supervisor,
        superior_nip=superior,
        peer_nips=[],
        year_start=datetime.now(UTC) - timedelta(days=366),  # every period's report is due
    )
    await api.env.client.start_workflow(
        AppraisalWorkflow.run, inp, id=appraisal_id, task_queue=api.task_queue
    )
    actors = Actors(NATIONAL)

    async def complete(who: str, task: TaskRecord, body: dict[str, Any]) -> httpx.Response:
        return await api.http.post(f"/v1/tasks/{task.id}/complete", json=body, headers=bearer(who))

    draft = await open_task(api, employee, appraisal_id, TaskKind.TARGETS_DRAFT)
    drafted = actors.body(draft)
    assert drafted is not None
    plan = drafted.model_dump(mode="json")
    plan["plan"]["targets"][0]["rhk"] = SQL[0]
    plan["plan"]["behaviour_expectations"] = SQL[1]
    assert (await complete(employee, draft, plan)).status_code == 200
    approve = await open_task(api, supervisor, appraisal_id, TaskKind.TARGETS_APPROVE)
    r = await complete(supervisor, approve, {"kind": "targets.approve", "decision": "approve"})
    assert r.status_code == 200, r.text

    report = await open_task(api, employee, appraisal_id, TaskKind.SELF_REPORT)
    target = plan["plan"]["targets"][0]["id"]

    def body(link: str) -> dict[str, Any]:
        realisation = {"target_id": target, "value": 10, "note": SQL[2], "evidence": [link]}
        return {"kind": "self_report", "report": {"realisations": [realisation]}}

    for link in ("/etc/passwd", "file:///etc/passwd", "..\\x", "javascript:alert(1)"):
        r = await complete(employee, report, body(link))
        assert r.status_code == 422 and r.headers["content-type"] == PROBLEM, (link, r.text)
        assert any("evidence" in e["field"] for e in r.json()["errors"]), (link, r.json())
    still = await api.http.get(f"/v1/tasks/{report.id}", headers=bearer(employee))
    assert still.json()["status"] == "open"  # a refused report changed nothing
    accepted = body("https://arsip.example.go.id/bukti.pdf?id=1'--")
    accepted["report"]["achievements"] = SQL[1]
    r = await complete(employee, report, accepted)
    assert r.status_code == 200, r.text
    feedback = await open_task(api, supervisor, appraisal_id, TaskKind.FEEDBACK)
    r = await complete(supervisor, feedback, {"kind": "feedback", "feedback": {"comment": SQL[0]}})
    assert r.status_code == 200, r.text

    state = (await api.http.get(f"/v1/appraisals/{appraisal_id}", headers=bearer(employee))).json()
    assert state["appraisal"]["plan"]["targets"][0]["rhk"] == SQL[0]
    assert state["appraisal"]["plan"]["behaviour_expectations"] == SQL[1]
    [reported] = [p for p in state["appraisal"]["periods"] if p["period"] == report.period]
    assert reported["report"]["realisations"][0]["note"] == SQL[2]
    assert reported["report"]["realisations"][0]["evidence"] == [
        "https://arsip.example.go.id/bukti.pdf?id=1'--"
    ]
    assert reported["report"]["achievements"] == SQL[1]
    assert reported["feedback"]["comment"] == SQL[0]


async def roster_rows(api: Api) -> tuple[int, int]:
    """Stored rosters and employees."""
    found = await counts(api)
    return found["rosters"], found["employees"]


def multipart(org: str, data: bytes) -> tuple[bytes, str]:
    """A roster upload's body as the browser would send it, and its content type."""
    boundary = uuid.uuid4().hex
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="org"\r\n\r\n{org}\r\n'
        f"--{boundary}\r\nContent-Disposition: form-data; "
        'name="file"; filename="roster.csv"\r\nContent-Type: text/csv\r\n\r\n'
    ).encode()
    return (
        head + data + f"\r\n--{boundary}--\r\n".encode(),
        f"multipart/form-data; boundary={boundary}",
    )


SMALL = 64 * 1024


@pytest.fixture
async def small_limit(
    dev_env: WorkflowEnvironment, migrated_url: str
) -> AsyncIterator[httpx.AsyncClient]:
    """The app with rosters limited to 64 KiB (no worker: uploads never reach Temporal)."""
    config = ApiConfig(database_url=migrated_url, auth=AUTH, max_upload_bytes=SMALL)
    app = create_app(config, client=dev_env.client)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://api") as http,
    ):
        yield http


async def test_a_roster_over_the_upload_limit_gets_413_and_stores_nothing(
    api: Api, small_limit: httpx.AsyncClient
) -> None:
    assert ApiConfig(database_url="sqlite+aiosqlite://").max_upload_bytes == 20 * 1_048_576
    hr = bearer(HR, Role.HR)
    before = await roster_rows(api)
    big = roster_csv(generate_roster(1_500, units=3, seed=8))
    assert len(big) > SMALL
    body, content_type = multipart("kota-besar", big)
    declared = await small_limit.post(
        "/v1/rosters", content=body, headers={**hr, "Content-Type": content_type}
    )

    async def chunks() -> AsyncIterator[bytes]:  # no Content-Length: counted as it streams in
        for start in range(0, len(body), 8192):
            yield body[start : start + 8192]

    streamed = await small_limit.post(
        "/v1/rosters", content=chunks(), headers={**hr, "Content-Type": content_type}
    )
    for r in (declared, streamed):
        assert r.status_code == 413 and r.headers["content-type"] == PROBLEM, r.text
        assert r.json()["detail"] == f"the body is larger than {SMALL} bytes"
    # The default limit, on the default app: 20 MiB and one byte more is refused alike.
    over = b"x" * (20 * 1_048_576 + 1)
    files = {"file": ("roster.csv", over, "text/csv")}
    r = await api.http.post("/v1/rosters", data={"org": "kota-besar"}, files=files, headers=hr)
    assert r.status_code == 413 and r.headers["content-type"] == PROBLEM
    assert str(20 * 1_048_576) in r.json()["detail"]
    assert await roster_rows(api) == before
    # Under the limit, the same app takes a roster: the limit is the configured one.
    fits = roster_csv(generate_roster(20, units=1, seed=8))
    body, content_type = multipart("kota-kecil", fits)
    r = await small_limit.post(
        "/v1/rosters", content=body, headers={**hr, "Content-Type": content_type}
    )
    assert r.status_code == 201, r.text


HEADER = "nip,name,unit_code,unit_name,position,position_level,supervisor_nip\r\n"


LIMIT = "100000"  # domain.roster_parse.parse_roster's max_rows, which the API keeps


@pytest.mark.parametrize(
    ("filename", "data", "error"),
    [
        (
            "roster.csv",
            (HEADER + "1,a,U,u,p,pelaksana,\r\n" * 100_001).encode(),
            {"row": 100_002, "field": "file", "message": f"more than {LIMIT} rows"},
        ),
        (
            "roster.json",
            json.dumps([{}] * 100_001).encode(),
            {"field": "file", "message": f"more than {LIMIT} employees: split the file"},
        ),
        (
            "roster.csv",
            (HEADER + "198511302010012015,Ma").encode() + b"\x92ruf,U,u,p,pelaksana,\r\n",
            {"row": 2, "field": "name", "message": "not valid UTF-8: save the file as 'CSV UTF-8'"},
        ),
    ],
    ids=["csv-rows", "json-rows", "not-utf8"],
)
async def test_a_roster_past_the_row_limit_or_not_utf8_is_refused_and_stores_nothing(
    api: Api, filename: str, data: bytes, error: dict[str, Any]
) -> None:
    before = await roster_rows(api)
    files = {"file": (filename, data, "text/csv")}
    r = await api.http.post(
        "/v1/rosters", data={"org": "kota-besar"}, files=files, headers=bearer(HR, Role.HR)
    )
    assert r.status_code == 422 and r.headers["content-type"] == PROBLEM, r.text
    problem = r.json()
    assert problem["code"] == "RosterInvalid" and error["message"] in problem["detail"]
    assert problem["errors"] == [error]
    assert await roster_rows(api) == before
