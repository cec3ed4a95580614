"""My notice settings as a page: a person sets and reads back their own digest and quiet
hours (another person's stay theirs), a half or empty span of quiet hours is refused beside
its field, a post without the form token is refused, and signing in comes first."""

from __future__ import annotations

from datetime import UTC, datetime, time

import pytest

from appraisal_engine.domain.notices import NoticePreferences
from appraisal_engine.simulator.scripted import EMPLOYEE, SUPERVISOR
from appraisal_engine.store.repositories.notice_preferences import get_preferences, save_preferences
from tests.web.conftest import Web, form_token

PATH = "/settings/notices"


@pytest.fixture(autouse=True)
async def defaults(web: Web) -> None:
    """The people's preferences as if never set: the database outlives a test."""
    async with web.sessions() as session, session.begin():
        for nip in (EMPLOYEE, SUPERVISOR):
            await save_preferences(session, NoticePreferences(nip=nip), datetime.now(UTC))


async def stored(web: Web, nip: str) -> NoticePreferences:
    async with web.sessions() as session:
        return await get_preferences(session, nip)


async def test_a_person_sets_and_reads_their_own_preferences(web: Web) -> None:
    employee = await web.signed_in(EMPLOYEE)
    page = await employee.get("/tasks")
    assert f'href="{PATH}"' in page.text and "Pengaturan pemberitahuan" in page.text
    r = await employee.get(PATH)
    assert r.status_code == 200
    assert "Ringkasan harian" in r.text and "Jam tenang" in r.text and "WIB" in r.text
    assert 'name="digest" value="on">' in r.text  # not ticked: the defaults
    r = await employee.post(
        PATH,
        data={"csrf_token": form_token(r.text), "digest": "on",
              "quiet_start": "21:00", "quiet_end": "06:00"},
    )  # fmt: skip
    assert r.status_code == 303 and r.headers["location"] == PATH
    r = await employee.get(PATH)
    assert "Berhasil disimpan." in r.text
    assert 'name="digest" value="on" checked>' in r.text
    assert 'value="21:00"' in r.text and 'value="06:00"' in r.text
    assert await stored(web, EMPLOYEE) == NoticePreferences(
        nip=EMPLOYEE, digest=True, quiet_start=time(21), quiet_end=time(6)
    )
    # Someone else's page shows their own defaults, and their save touches only theirs.
    boss = await web.signed_in(SUPERVISOR)
    r = await boss.get(PATH)
    assert "checked" not in r.text and 'value="21:00"' not in r.text
    r = await boss.post(PATH, data={"csrf_token": form_token(r.text), "quiet_start": "",
                                    "quiet_end": ""})  # fmt: skip
    assert r.status_code == 303
    assert await stored(web, SUPERVISOR) == NoticePreferences(nip=SUPERVISOR)
    assert (await stored(web, EMPLOYEE)).digest is True
    # Turned off again: the digest box unticked, the quiet hours cleared.
    r = await employee.get(PATH)
    r = await employee.post(PATH, data={"csrf_token": form_token(r.text)})
    assert r.status_code == 303
    assert await stored(web, EMPLOYEE) == NoticePreferences(nip=EMPLOYEE)


async def test_half_or_empty_quiet_hours_are_refused_beside_the_field(web: Web) -> None:
    employee = await web.signed_in(EMPLOYEE)
    token = form_token((await employee.get(PATH)).text)
    cases = [
        ({"quiet_start": "21:00"}, "quiet_end", "Isi jam mulai dan jam selesai"),
        ({"quiet_start": "21:00", "quiet_end": "21:00"}, "quiet_end", "berbeda"),
        ({"quiet_start": "nanti", "quiet_end": "06:00"}, "quiet_start", "Harus berupa jam"),
    ]
    for fields, field, message in cases:
        r = await employee.post(PATH, data={"csrf_token": token, "digest": "on", **fields})
        assert r.status_code == 422
        error = r.text.split(f'id="{field}-error">')[1].split("</span>")[0]
        assert message in error
        assert 'name="digest" value="on" checked>' in r.text  # the form as typed
    assert await stored(web, EMPLOYEE) == NoticePreferences(nip=EMPLOYEE)


async def test_a_post_without_the_form_token_is_refused(web: Web) -> None:
    employee = await web.signed_in(EMPLOYEE)
    fields = {"digest": "on", "quiet_start": "21:00", "quiet_end": "06:00"}
    assert (await employee.post(PATH, data=fields)).status_code == 403
    r = await employee.post(PATH, data={**fields, "csrf_token": "guessed"})
    assert r.status_code == 403
    assert await stored(web, EMPLOYEE) == NoticePreferences(nip=EMPLOYEE)


async def test_signing_in_comes_first(web: Web) -> None:
    async with web.anonymous() as client:
        r = await client.get(PATH)
    assert r.status_code == 303 and r.headers["location"] == f"/signin?next={PATH}"
