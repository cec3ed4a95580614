"""Digest and quiet hours against the real SMTP server: fifty reminders for a person who asked
for the daily digest go as one message listing fifty links, at the digest hour, while a new
task still goes at once; quiet hours hold a notice and it goes when they end."""

from __future__ import annotations

from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio.testing import ActivityEnvironment

from appraisal_engine.domain.notices import NoticeKind, NoticePreferences, NoticeStatus, digest_time
from appraisal_engine.store.models import NoticeRow
from appraisal_engine.store.repositories.notice_preferences import save_preferences
from appraisal_engine.store.repositories.notices import list_notices
from tests.notices.conftest import (
    Clock,
    SmtpServer,
    activities,
    config_for,
    drain,
    open_task,
    sender_for,
    store_people,
    webhook_for,
)
from tests.notices.receiver import GatewayServer
from tests.notices.test_sender import reminder

Sessions = async_sessionmaker[AsyncSession]
WIB = ZoneInfo("Asia/Jakarta")
HOUR = 7


async def prefer(sessions: Sessions, preferences: NoticePreferences) -> None:
    async with sessions() as session, session.begin():
        await save_preferences(session, preferences, datetime.now(UTC))


async def test_fifty_reminders_make_one_digest_at_the_digest_hour(
    outbox: Sessions, smtp: SmtpServer, gateway: GatewayServer
) -> None:
    people = await store_people(outbox)
    boss = people.head
    await prefer(outbox, NoticePreferences(nip=boss.nip, digest=True))
    store, notify = activities(outbox)
    tasks = [open_task(boss.nip, people.staff.nip) for _ in range(50)]
    for task in tasks:
        await ActivityEnvironment().run(store.upsert_task, task)
    async with outbox() as session, session.begin():  # announced long ago
        await session.execute(delete(NoticeRow))
    for task in tasks:
        await ActivityEnvironment().run(notify.notify, reminder(task))
    new = open_task(
        boss.nip,
        people.staff.nip,
    )
    await ActivityEnvironment().run(store.upsert_task, new)
    clock = Clock()
    config = config_for(smtp.port, digest_hour=HOUR, webhook=webhook_for(gateway))
    sender = sender_for(outbox, config, clock)
    held = await drain(sender)
    # The new task went at once, by e-mail and to the phone; the reminders wait.
    assert sum(len(d.sent) for d in held) == 2
    assert sum(len(d.deferred) for d in held) == 100  # 50 e-mails, 50 chat messages
    [announced] = smtp.catcher.messages
    assert str(announced[1]["Subject"]).startswith("Tugas baru")
    assert [p["kind"] for p in gateway.gateway.accepted] == ["task_opened"]
    async with outbox() as session:
        written = min(n.created_at for n in await list_notices(session, recipient_nip=boss.nip))
    clock.now = digest_time(written, HOUR, WIB)
    rounds = await drain(sender)
    assert sum(d.messages for d in rounds) == 2  # one e-mail, one chat message
    assert sum(len(d.sent) for d in rounds) == 100
    assert len(smtp.catcher.messages) == 2
    digest = smtp.catcher.messages[1][1]
    assert digest["Subject"] == "Ringkasan harian pemberitahuan Anda (50)"
    text = digest.get_body(("plain",))
    html = digest.get_body(("html",))
    assert text is not None and html is not None
    for task in tasks:
        link = f"https://kinerja.kota.go.id/tasks/{task.id}"
        assert link in text.get_content() and f'href="{link}"' in html.get_content()
    chat = gateway.gateway.accepted[1]
    assert chat["kind"] == "digest" and len(chat["notices"]) == 50
    assert chat["link"] == "https://kinerja.kota.go.id/tasks"
    assert {n["link"] for n in chat["notices"]} == {
        f"https://kinerja.kota.go.id/tasks/{t.id}" for t in tasks
    }
    async with outbox() as session:
        rows = await list_notices(session, recipient_nip=boss.nip)
    assert {n.status for n in rows} == {NoticeStatus.SENT}
    assert len({n.sent_at for n in rows if n.kind is NoticeKind.REMINDER}) == 1  # together


async def test_quiet_hours_hold_a_notice_until_they_end(outbox: Sessions, smtp: SmtpServer) -> None:
    people = await store_people(outbox)
    quiet = NoticePreferences(nip=people.staff.nip, quiet_start=time(21), quiet_end=time(6))
    await prefer(outbox, quiet)
    store, _ = activities(outbox)
    task = open_task(people.staff.nip, people.staff.nip)
    await ActivityEnvironment().run(store.upsert_task, task)
    clock = Clock()
    clock.now = digest_time(clock.now, 23, WIB)  # the next 23:00 in Jakarta
    sender = sender_for(outbox, config_for(smtp.port), clock)
    held = await drain(sender)
    assert sum(len(d.deferred) for d in held) == 1 and smtp.catcher.messages == []
    clock.now = digest_time(clock.now, 5, WIB)  # 05:00: still quiet, and not due yet
    assert sum(d.claimed for d in await drain(sender)) == 0
    clock.now = digest_time(clock.now, 6, WIB)
    assert sum(len(d.sent) for d in await drain(sender)) == 1
    assert len(smtp.catcher.to(people.staff.email or "")) == 1
    async with outbox() as session:
        [row] = await list_notices(session, task_id=task.id)
    assert row.status is NoticeStatus.SENT and row.attempts == 1  # held, not tried
    assert row.sent_at is not None and row.sent_at.astimezone(WIB).time() == time(6)
