"""The bell and my notices: each person sees only their own and how many are unread; opening
one marks it read and leads to its task (or its appraisal); marking all read needs the form's
token; another person's notice is the 404 page."""

from __future__ import annotations

import random
import re
from datetime import UTC, datetime, timedelta

import httpx

from appraisal_engine.domain.notices import Notice, NoticeKind
from appraisal_engine.domain.tasks import TaskKind
from appraisal_engine.store.repositories.notices import add_notices, get_notice
from appraisal_engine.store.repositories.tasks import upsert_task
from tests.store.builders import task, uid
from tests.web.conftest import Web, form_token

BELL = re.compile(r'<a class="bell[^"]*" href="/notices" aria-label="([^"]+)">')
NOW = datetime.now(UTC).replace(microsecond=0)


def someone() -> str:
    """A valid NIP nobody else's test uses (the database outlives a test)."""
    born = f"19{random.randint(60, 85)}{random.randint(1, 12):02d}{random.randint(1, 28):02d}"
    return f"{born}2005011{random.randint(100, 999):03d}"


def notice(to: str, kind: NoticeKind, *, ago: int, task_id: str = "", **changes: object) -> Notice:
    """A notice to `to` written `ago` minutes before now, about a task that need not exist."""
    task_id = task_id or uid("task")
    values: dict[str, object] = {
        "id": f"{task_id}:{kind.value}:{to}",
        "recipient_nip": to,
        "kind": kind,
        "task_id": task_id,
        "task_kind": TaskKind.REVIEW,
        "appraisal_id": uid("appraisal"),
        "due_at": NOW + timedelta(days=3),
        "created_at": NOW - timedelta(minutes=ago),
        "next_attempt_at": NOW,
    }
    return Notice.model_validate(values | changes)


async def seed(web: Web, *notices: Notice) -> None:
    async with web.sessions() as session, session.begin():
        await add_notices(session, list(notices))


def bell(html: str) -> str:
    """The bell's accessible label on a page."""
    found = BELL.search(html)
    assert found, "the page has no bell"
    return found.group(1)


async def unread(client: httpx.AsyncClient) -> str:
    return bell((await client.get("/tasks")).text)


async def test_each_person_sees_only_their_own_notices_and_count(web: Web) -> None:
    me, other = someone(), someone()
    mine = [
        notice(me, NoticeKind.TASK_OPENED, ago=30),
        notice(me, NoticeKind.REMINDER, ago=20),
        notice(me, NoticeKind.OVERDUE, ago=10),
    ]
    theirs = notice(other, NoticeKind.ESCALATION, ago=5)
    await seed(web, *mine, theirs)

    client = await web.signed_in(me)
    page = await client.get("/notices")
    assert page.status_code == 200
    assert bell(page.text) == "3 pemberitahuan belum dibaca"
    assert '<span class="count" aria-hidden="true">3</span>' in page.text
    # Newest first, each by its e-mail's subject in Bahasa Indonesia, read or not.
    links = re.findall(r'<a href="/notices/([^"]+)">', page.text)
    assert [httpx.URL(f"/{i}").path[1:] for i in links] == [n.id for n in reversed(mine)]
    for said in ("Terlambat", "Pengingat", "Tugas baru"):
        assert f"{said}: Penilaian akhir tahun</a>" in page.text
    assert page.text.count('<span class="badge unread">Belum dibaca</span>') == 3
    assert theirs.id not in page.text

    # Another person's notice is the 404 page, and stays unread.
    r = await client.get(f"/notices/{theirs.id}")
    assert r.status_code == 404
    async with web.sessions() as session:
        kept = await get_notice(session, theirs.id)
    assert kept is not None and kept.read_at is None

    stranger = await web.signed_in(other)
    assert await unread(stranger) == "1 pemberitahuan belum dibaca"


async def test_opening_a_notice_marks_it_read_and_leads_to_its_task(web: Web) -> None:
    me = someone()
    own_task = task(assignee_nip=me, kind=TaskKind.REVIEW)
    async with web.sessions() as session, session.begin():
        await upsert_task(session, own_task)
    to_task = notice(me, NoticeKind.TASK_OPENED, ago=3, task_id=own_task.id)
    # An escalation about a task that is someone else's: its appraisal is where it leads.
    elsewhere = notice(me, NoticeKind.ESCALATION, ago=2)
    await seed(web, to_task, elsewhere)
    client = await web.signed_in(me)
    assert await unread(client) == "2 pemberitahuan belum dibaca"

    r = await client.get(f"/notices/{to_task.id}")
    assert r.status_code == 303 and r.headers["location"] == f"/tasks/{own_task.id}"
    assert await unread(client) == "1 pemberitahuan belum dibaca"
    r = await client.get(f"/notices/{elsewhere.id}")
    assert r.status_code == 303
    assert r.headers["location"] == f"/appraisals/{elsewhere.appraisal_id}"
    assert await unread(client) == "Pemberitahuan, tidak ada yang belum dibaca"
    # Opening it again changes nothing; the list shows both read.
    assert (await client.get(f"/notices/{to_task.id}")).status_code == 303
    page = await client.get("/notices")
    assert "Belum dibaca" not in page.text.split("<main", 1)[1]
    assert "/notices/read" not in page.text  # nothing left to mark


async def test_mark_all_read_needs_the_form_token(web: Web) -> None:
    me = someone()
    await seed(web, *(notice(me, NoticeKind.REMINDER, ago=i) for i in range(1, 5)))
    client = await web.signed_in(me)
    page = await client.get("/notices")
    seen = re.search(r'name="seen" value="([^"]+)"', page.text)
    assert seen

    r = await client.post("/notices/read", data={"seen": seen.group(1)})
    assert r.status_code == 403
    assert await unread(client) == "4 pemberitahuan belum dibaca"

    # One written after the list was shown stays unread (NOW is the module's import time, which
    # may be long before this test runs: the list's own moment is what counts).
    shown = datetime.fromisoformat(seen.group(1))
    late = notice(me, NoticeKind.OVERDUE, ago=0, created_at=shown + timedelta(seconds=1))
    await seed(web, late)
    r = await client.post(
        "/notices/read", data={"seen": seen.group(1), "csrf_token": form_token(page.text)}
    )
    assert r.status_code == 303 and r.headers["location"] == "/notices"
    assert await unread(client) == "1 pemberitahuan belum dibaca"
    async with web.sessions() as session:
        kept = await get_notice(session, late.id)
    assert kept is not None and kept.read_at is None


async def test_notices_are_paged_and_in_english_on_the_switch(web: Web) -> None:
    me = someone()
    await seed(web, *(notice(me, NoticeKind.REMINDER, ago=i) for i in range(55)))
    client = await web.signed_in(me)
    page = await client.get("/notices")
    assert page.text.count('<a href="/notices/') == 50
    assert 'href="/notices?offset=50"' in page.text
    assert '<span class="count" aria-hidden="true">55</span>' in page.text
    second = await client.get("/notices?offset=50")
    assert second.text.count('<a href="/notices/') == 5

    r = await client.post(
        "/language", data={"lang": "en", "back": "/notices", "csrf_token": form_token(page.text)}
    )
    assert r.status_code == 303
    page = await client.get("/notices")
    assert bell(page.text) == "55 unread notices"
    assert "Reminder: Year-end review" in page.text and "Mark all as read" in page.text


async def test_signed_out_pages_have_no_bell(web: Web) -> None:
    page = await web.anonymous().get("/signin")
    assert page.status_code == 200 and not BELL.search(page.text)
    r = await web.anonymous().get("/notices")
    assert r.status_code == 303 and r.headers["location"] == "/signin?next=/notices"
