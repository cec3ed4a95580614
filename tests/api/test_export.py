"""The grades export: a roster whose text a spreadsheet would run as formulas is stored and read
back as written, and every such cell of the CSV is neutralised; each appraisal appears once, in
keyset pages whose memory does not grow with the cycle."""

from __future__ import annotations

import asyncio
import csv
import io
import tracemalloc
import uuid
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

from appraisal_engine.api.roles import Role
from appraisal_engine.domain.employee import Employee
from appraisal_engine.domain.outcome import OutcomeKind
from appraisal_engine.domain.ratings import Grade
from appraisal_engine.domain.records import AppraisalStatus, AuditEvent
from appraisal_engine.services.grades_csv import HEADER, csv_chunks, csv_text
from appraisal_engine.simulator.roster import generate_roster, roster_csv
from appraisal_engine.store.models import AppraisalRow, EmployeeRow
from appraisal_engine.store.repositories._rows import row_values
from appraisal_engine.store.repositories.appraisals import upsert_appraisal
from appraisal_engine.store.repositories.audit import append_event
from appraisal_engine.store.repositories.exports import grade_lines
from appraisal_engine.store.repositories.outcomes import upsert_outcome
from appraisal_engine.store.repositories.rosters import add_roster
from tests.api.conftest import Api, bearer
from tests.store.builders import appraisal, outcome
from tests.workflows.cycle_driver import HR, POLICY

AUDITOR = "197502022001122001"
FORMULAS = ['=HYPERLINK("http://x","y")', "+1+1", "-2+3", "@SUM(A1)", "\t=1"]
DANGEROUS = ("=", "+", "-", "@", "\t", "\r")
CSV_TYPE = "text/csv; charset=utf-8"


def with_texts(texts: Sequence[str], *, employees: int = 6, seed: int = 21) -> list[Employee]:
    """A valid two-unit roster whose names, unit names and positions are all taken from
    `texts` (each unit keeps one unit name)."""
    staff = generate_roster(employees, units=2, seed=seed)
    units = sorted({e.unit_code for e in staff})
    return [
        e.model_copy(
            update={
                "name": texts[i % len(texts)],
                "position": texts[(i + 1) % len(texts)],
                "unit_name": texts[(units.index(e.unit_code) + 2) % len(texts)],
            }
        )
        for i, e in enumerate(staff)
    ]


async def upload(api: Api, employees: list[Employee]) -> str:
    """HR uploads the roster through the API; its id."""
    org = f"kota-{uuid.uuid4().hex[:8]}"
    files = {"file": ("roster.csv", roster_csv(employees), "text/csv")}
    r = await api.http.post(
        "/v1/rosters", data={"org": org}, files=files, headers=bearer(HR, Role.HR)
    )
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


async def roster_json(api: Api, roster_id: str) -> list[dict[str, Any]]:
    """The stored employees as the JSON API returns them, every page."""
    found: list[dict[str, Any]] = []
    offset: int | None = 0
    while offset is not None:
        r = await api.http.get(
            f"/v1/rosters/{roster_id}/employees",
            params={"limit": 4, "offset": offset},
            headers=bearer(AUDITOR, Role.AUDITOR),
        )
        assert r.status_code == 200, r.text
        found += r.json()["items"]
        offset = r.json()["next_offset"]
    return found


async def launch(api: Api, roster_id: str, appraisals: int) -> str:
    """Launch a cycle from the roster and wait until every appraisal is in the read model."""
    launch = {
        "year": 2000 + uuid.uuid4().int % 90,
        "roster_id": roster_id,
        "policy": POLICY.model_dump(mode="json"),
        "year_start": (datetime.now(UTC) - timedelta(days=366)).isoformat(),
    }
    r = await api.http.post("/v1/cycles", json=launch, headers=bearer(HR, Role.HR))
    assert r.status_code == 202, r.text
    cycle_id = str(r.json()["cycle_id"])
    for _ in range(200):
        r = await api.http.get(
            "/v1/appraisals", params={"cycle_id": cycle_id}, headers=bearer(HR, Role.HR)
        )
        if len(r.json()["items"]) == appraisals:
            return cycle_id
        await asyncio.sleep(0.05)
    raise AssertionError("the cycle's appraisals never reached the read model")


def parsed(body: bytes) -> list[list[str]]:
    """A CSV export read back as the stdlib reads it (the BOM dropped)."""
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline="")))


@pytest.mark.parametrize(
    ("text", "cell"),
    [
        ('=HYPERLINK("http://x","y")', '\'=HYPERLINK("http://x","y")'),
        ("+1+1", "'+1+1"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("%0A", "'%0A"),
        ("=cmd|' /C calc'!A0", "'=cmd\\|' /C calc'!A0"),  # the library escapes DDE's pipe too
        ("Robert'); DROP TABLE employees;--", "Robert'); DROP TABLE employees;--"),
        ("Ani Lubis", "Ani Lubis"),
        ("-2", "-2"),  # a plain negative number is a number, not a formula
        ("198511302010012015", "198511302010012015"),
        ("a=b", "a=b"),
        (None, ""),
        (True, "true"),
    ],
)
def test_cells_a_spreadsheet_would_run_are_escaped_and_others_kept(text: object, cell: str) -> None:
    [[written]] = parsed(csv_text([[text]]).encode())
    assert written == cell


async def test_formula_text_is_kept_as_written_and_neutralised_in_the_export(api: Api) -> None:
    employees = with_texts(FORMULAS)
    roster_id = await upload(api, employees)
    # The JSON API hands back exactly what was stored; the roster trims outer blanks of every
    # cell (documented), so the leading tab of "\t=1" is not stored, the rest is.
    stored = {e["nip"]: e for e in await roster_json(api, roster_id)}
    assert len(stored) == len(employees)
    for e in employees:
        got = stored[e.nip]
        assert (got["name"], got["unit_name"], got["position"]) == (
            e.name.strip(),
            e.unit_name.strip(),
            e.position.strip(),
        )
    assert {stored[e.nip]["name"] for e in employees} == {t.strip() for t in FORMULAS}
    cycle_id = await launch(api, roster_id, len(employees))

    for who in (bearer(HR, Role.HR), bearer(AUDITOR, Role.AUDITOR)):
        r = await api.http.get(f"/v1/cycles/{cycle_id}/grades.csv", headers=who)
        assert r.status_code == 200, r.text
        assert r.headers["content-type"] == CSV_TYPE
        disposition = f'attachment; filename="{cycle_id}-grades.csv"'
        assert r.headers["content-disposition"] == disposition
        header, *rows = parsed(r.content)
        assert tuple(header) == HEADER
        assert sorted(row[0] for row in rows) == sorted(e.nip for e in employees)  # each once
        for row in rows:
            for cell in row:
                assert not cell.startswith(DANGEROUS), (row, cell)
        by_nip = {row[0]: dict(zip(HEADER, row, strict=True)) for row in rows}
        for e in employees:
            line = by_nip[e.nip]
            assert line["name"] == "'" + e.name.strip()
            assert line["unit_name"] == "'" + e.unit_name.strip()
            assert line["position"] == "'" + e.position.strip()
            assert (line["unit_code"], line["stage"]) == (e.unit_code, "targets")

    logged = await api.http.get(
        "/v1/audit/events",
        params={"actor": AUDITOR, "kind": "auditor.read", "cycle_id": cycle_id},
        headers=bearer(AUDITOR, Role.AUDITOR),
    )
    assert [e["payload"] for e in logged.json()["items"]] == [{"read": "grades.csv"}]

    url = f"/v1/cycles/{cycle_id}/grades.csv"
    head, staff = employees[0].nip, employees[-1].nip  # a supervisor and an employee
    for headers, status in ((bearer(head), 403), (bearer(staff), 403), ({}, 401)):
        r = await api.http.get(url, headers=headers)
        assert r.status_code == status and r.headers["content-type"] == "application/problem+json"
    for who in (bearer(HR, Role.HR), bearer(AUDITOR, Role.AUDITOR)):
        r = await api.http.get("/v1/cycles/kota-nobody-2031/grades.csv", headers=who)
        assert r.status_code == 404 and r.headers["content-type"] == "application/problem+json"
    missing = await api.http.get(
        f"/v1/rosters/{roster_id}-x/employees", headers=bearer(HR, Role.HR)
    )
    assert missing.status_code == 404
    names = await api.http.get(f"/v1/rosters/{roster_id}/employees", headers=bearer(staff))
    assert names.status_code == 403  # the roster's text is for HR and auditors, as the file is


def shim(session: AsyncSession) -> Any:
    """A session factory handing out the test's own session (rolled back after the test)."""

    @asynccontextmanager
    async def same() -> AsyncIterator[AsyncSession]:
        yield session

    return same


async def test_lines_join_the_roster_the_release_and_the_outcome(session: AsyncSession) -> None:
    cycle_id, roster_id = f"kota-{uuid.uuid4().hex[:8]}-2026", f"roster-{uuid.uuid4().hex[:8]}"
    staff = sorted(generate_roster(5, units=1, seed=4), key=lambda e: e.nip)
    await add_roster(session, roster_id, "kota-uji", staff, checksum=roster_id)
    ids = [f"appraisal-{cycle_id}-{e.nip}" for e in staff]
    grades = [
        (Grade.BAIK, Grade.SANGAT_BAIK, True, OutcomeKind.AWARD),  # raised by calibration
        (Grade.BAIK, Grade.BAIK, False, OutcomeKind.DEVELOPMENT),
        (Grade.KURANG, None, None, None),  # reviewed, not yet released
    ]
    for i, (computed, final, adjusted, kind) in enumerate(grades):
        e = staff[i]
        await upsert_appraisal(
            session,
            appraisal(
                id=ids[i],
                cycle_id=cycle_id,
                employee_nip=e.nip,
                unit_code=e.unit_code,
                stage="outcome" if kind else "calibration",
                grade_computed=computed,
                grade_final=final,
            ),
        )
        if adjusted is not None:
            release = {"grade": final, "adjusted": adjusted, "reason": "x", "actor_nip": HR}
            await append_event(
                session,
                AuditEvent(
                    event_id=f"release-{ids[i]}",
                    at=datetime.now(UTC),
                    actor_nip=HR,
                    kind="grade.released",
                    appraisal_id=ids[i],
                    cycle_id=cycle_id,
                    payload=release,
                ),
            )
        if kind is not None:
            assert final is not None
            record = outcome(appraisal_id=ids[i], cycle_id=cycle_id, grade=final, kind=kind)
            await upsert_outcome(session, record)
    # One appraisal of another cycle, and one whose NIP the roster does not hold.
    await upsert_appraisal(session, appraisal(cycle_id=f"{cycle_id}-other"))
    stranger = appraisal(id=f"appraisal-{cycle_id}-zzz", cycle_id=cycle_id)
    await upsert_appraisal(session, stranger)
    for i in (3, 4):
        e = staff[i]
        await upsert_appraisal(
            session,
            appraisal(id=ids[i], cycle_id=cycle_id, employee_nip=e.nip, unit_code=e.unit_code),
        )

    pages = []
    after: str | None = None
    while page := await grade_lines(session, cycle_id, roster_id, after=after, limit=2):
        pages.append(page)
        after = page[-1].appraisal_id
    lines = [line for page in pages for line in page]
    assert [len(p) for p in pages] == [2, 2, 2]
    assert [line.appraisal_id for line in lines] == sorted([*ids, stranger.id])
    by_id = {line.appraisal_id: line for line in lines}
    first = by_id[ids[0]]
    assert (first.name, first.unit_name, first.position) == (
        staff[0].name,
        staff[0].unit_name,
        staff[0].position,
    )
    assert [
        (by_id[i].grade_computed, by_id[i].grade_final, by_id[i].grade_adjusted, by_id[i].outcome)
        for i in ids[:3]
    ] == [
        ("baik", "sangat_baik", True, "award"),
        ("baik", "baik", False, "development"),
        ("kurang", None, None, None),
    ]
    assert by_id[stranger.id].name is None

    chunks = [
        c async for c in csv_chunks(shim(session), cycle_id, roster_id, first=pages[0], page_rows=2)
    ]
    assert len(chunks) == 3  # the header with the first page, then the two further pages
    header, *rows = parsed(b"".join(chunks))
    assert [row[0] for row in rows] == [line.nip for line in lines]
    assert dict(zip(header, rows[0], strict=True)) == {
        "nip": staff[0].nip,
        "name": staff[0].name,
        "unit_code": staff[0].unit_code,
        "unit_name": staff[0].unit_name,
        "position": staff[0].position,
        "stage": "outcome",
        "grade_computed": "baik",
        "grade_final": "sangat_baik",
        "grade_adjusted": "true",
        "outcome": "award",
    }


async def exported_peak(session: AsyncSession, appraisals: int, page_rows: int) -> tuple[int, int]:
    """Store a cycle of `appraisals` with its roster, then stream its export: (bytes written,
    peak memory traced while streaming)."""
    cycle_id, roster_id = f"kota-{uuid.uuid4().hex[:8]}-2026", f"roster-{uuid.uuid4().hex[:8]}"
    await add_roster(session, roster_id, "kota-uji", [], checksum=roster_id)
    nips = [f"19800115200501{i:04d}" for i in range(appraisals)]
    await session.execute(
        insert(EmployeeRow),
        [
            {
                "roster_id": roster_id,
                "nip": n,
                "name": f"=Pegawai {n}",
                "unit_code": "DISDIK",
                "unit_name": "Dinas Pendidikan",
                "position": "Guru",
                "position_level": "fungsional",
                "supervisor_nip": None,
                "acting": False,
            }
            for n in nips
        ],
    )
    now = datetime.now(UTC)
    row = row_values(appraisal(status=AppraisalStatus.RUNNING, updated_at=now))
    await session.execute(
        insert(AppraisalRow),
        [
            {**row, "id": f"appraisal-{cycle_id}-{n}", "cycle_id": cycle_id, "employee_nip": n}
            for n in nips
        ],
    )
    tracemalloc.start()
    try:
        first = await grade_lines(session, cycle_id, roster_id, limit=page_rows)
        written = 0
        async for chunk in csv_chunks(
            shim(session), cycle_id, roster_id, first=first, page_rows=page_rows
        ):
            written += len(chunk)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return written, peak


async def test_memory_stays_flat_however_many_appraisals(session: AsyncSession) -> None:
    small_bytes, small_peak = await exported_peak(session, 2_000, page_rows=500)
    big_bytes, big_peak = await exported_peak(session, 20_000, page_rows=500)
    assert big_bytes > 9 * small_bytes
    # Ten times the rows, the same pages: the peak does not follow the size of the file.
    assert big_peak < 1.5 * small_peak, (small_peak, big_peak)
