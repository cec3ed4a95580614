"""The sender against a real SMTP server (aiosmtpd): each notice delivered once to the right
address with its task's link; nothing lost while the server is down; a refused address failed
without holding the others; nobody written to without an address or about a closed task."""

from __future__ import annotations

import logging
import re
from datetime import timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio.testing import ActivityEnvironment

from appraisal_engine.domain.notices import NoticeKind, NoticeStatus
from appraisal_engine.domain.records import Notification, NotificationKind, TaskRecord, TaskStatus
from appraisal_engine.store.repositories.notices import claim_due, list_notices
from tests.notices.conftest import (
    Clock,
    SmtpServer,
    activities,
    config_for,
    open_task,
    sender_for,
    store_people,
)

Sessions = async_sessionmaker[AsyncSession]
EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
PHONE = re.compile(r"(\+62|\b0)8\d{8,11}")


def reminder(task: TaskRecord) -> Notification:
    return Notification(
        kind=NotificationKind.REMINDER, task_id=task.id, task_kind=task.kind,
        appraisal_id=task.appraisal_id, recipients=[task.assignee_nip], due_at=task.due_at,
    )  # fmt: skip


async def statuses(sessions: Sessions, task_id: str) -> dict[tuple[NoticeKind, str], NoticeStatus]:
    async with sessions() as session:
        rows = await list_notices(session, task_id=task_id)
    return {(n.kind, n.recipient_nip): n.status for n in rows}


async def test_a_task_opened_and_its_reminder_each_arrive_once(
    outbox: Sessions, smtp: SmtpServer
) -> None:
    people = await store_people(outbox)
    store, notify = activities(outbox)
    task = open_task(people.staff.nip, people.staff.nip)
    env = ActivityEnvironment()
    await env.run(store.upsert_task, task)
    await env.run(notify.notify, reminder(task))
    await env.run(notify.notify, reminder(task))  # retried
    clock = Clock()
    sender = sender_for(outbox, config_for(smtp.port), clock)
    assert len((await sender.drain_once()).sent) == 2
    assert (await sender.drain_once()).claimed == 0
    clock.advance(timedelta(days=1))
    assert (await sender.drain_once()).claimed == 0
    mail = smtp.catcher.to(people.staff.email or "")
    assert len(mail) == 2 and len(smtp.catcher.messages) == 2
    subjects = sorted(str(m["Subject"]) for m in mail)
    assert subjects[0] == "Pengingat: Laporan mandiri realisasi"
    assert subjects[1] == "Tugas baru: Laporan mandiri realisasi"
    link = f"https://kinerja.kota.go.id/tasks/{task.id}"
    for message in mail:
        assert message["To"] == people.staff.email
        text = message.get_body(("plain",))
        html = message.get_body(("html",))
        assert text is not None and html is not None
        assert link in text.get_content() and f'href="{link}"' in html.get_content()
    assert set((await statuses(outbox, task.id)).values()) == {NoticeStatus.SENT}


async def test_english_by_setting(outbox: Sessions, smtp: SmtpServer) -> None:
    people = await store_people(outbox)
    store, _ = activities(outbox)
    task = open_task(people.head.nip, people.staff.nip)
    await ActivityEnvironment().run(store.upsert_task, task)
    await sender_for(outbox, config_for(smtp.port, locale="en"), Clock()).drain_once()
    [message] = smtp.catcher.to(people.head.email or "")
    assert message["Subject"] == "New task: Self-report for a period"


async def test_nothing_is_lost_while_the_server_is_down(outbox: Sessions, smtp: SmtpServer) -> None:
    people = await store_people(outbox)
    store, notify = activities(outbox)
    tasks = [open_task(p.nip, p.nip) for p in (people.head, people.staff)]
    for task in tasks:
        await ActivityEnvironment().run(store.upsert_task, task)
        await ActivityEnvironment().run(notify.notify, reminder(task))
    smtp.stop()
    clock = Clock()
    config = config_for(smtp.port)
    sender = sender_for(outbox, config, clock)
    down = await sender.drain_once()
    assert len(down.retried) == 4 and not down.sent and not down.failed
    assert (await sender.drain_once()).claimed == 0  # not due again yet
    clock.advance(config.retry_base)
    assert len((await sender.drain_once()).retried) == 4  # still down: waits longer
    smtp.start()
    clock.advance(config.retry_base)
    assert (await sender.drain_once()).claimed == 0  # the second wait is twice as long
    clock.advance(config.retry_base)
    assert len((await sender.drain_once()).sent) == 4
    clock.advance(timedelta(days=1))
    assert (await sender.drain_once()).claimed == 0
    assert len(smtp.catcher.to(people.head.email or "")) == 2
    assert len(smtp.catcher.to(people.staff.email or "")) == 2
    assert len(smtp.catcher.messages) == 4


async def test_a_crashed_senders_claim_goes_out_once_its_lease_ends(
    outbox: Sessions, smtp: SmtpServer
) -> None:
    people = await store_people(outbox)
    store, _ = activities(outbox)
    task = open_task(people.staff.nip, people.staff.nip)
    await ActivityEnvironment().run(store.upsert_task, task)
    clock = Clock()
    config = config_for(smtp.port)
    async with outbox() as session, session.begin():  # a sender claims, then dies
        assert len(await claim_due(session, clock(), limit=10, lease=config.lease)) == 1
    sender = sender_for(outbox, config, clock)
    assert (await sender.drain_once()).claimed == 0
    clock.advance(config.lease)
    assert len((await sender.drain_once()).sent) == 1
    clock.advance(config.lease)
    assert (await sender.drain_once()).claimed == 0
    assert len(smtp.catcher.messages) == 1


async def test_a_refused_address_fails_alone(outbox: Sessions, smtp: SmtpServer) -> None:
    people = await store_people(outbox)
    store, _ = activities(outbox)
    smtp.catcher.refuse.add(people.head.email or "")
    refused = open_task(people.head.nip, people.staff.nip)
    fine = open_task(people.staff.nip, people.staff.nip)
    for task in (refused, fine):
        await ActivityEnvironment().run(store.upsert_task, task)
    drained = await sender_for(outbox, config_for(smtp.port), Clock()).drain_once()
    assert len(drained.failed) == 1 and len(drained.sent) == 1
    failed = {(NoticeKind.TASK_OPENED, people.head.nip): NoticeStatus.FAILED}
    assert await statuses(outbox, refused.id) == failed
    async with outbox() as session:
        [row] = await list_notices(session, task_id=refused.id)
    assert row.last_error == "SMTP 550"
    assert len(smtp.catcher.to(people.staff.email or "")) == 1
    assert smtp.catcher.to(people.head.email or "") == []


async def test_no_address_or_a_closed_task_is_skipped(outbox: Sessions, smtp: SmtpServer) -> None:
    people = await store_people(outbox)
    store, notify = activities(outbox)
    silent = open_task(people.silent.nip, people.silent.nip)
    done = open_task(people.staff.nip, people.staff.nip)
    for task in (silent, done):
        await ActivityEnvironment().run(store.upsert_task, task)
    await ActivityEnvironment().run(notify.notify, reminder(done))
    closed = done.model_copy(update={"status": TaskStatus.DONE, "closed_at": done.opened_at})
    await ActivityEnvironment().run(store.upsert_task, closed)  # done before the sender ran
    drained = await sender_for(outbox, config_for(smtp.port), Clock()).drain_once()
    assert len(drained.skipped) == 3 and drained.sent == []
    async with outbox() as session:
        reasons = {n.last_error for n in await list_notices(session, status=NoticeStatus.SKIPPED)}
    assert reasons == {"NoAddress", "TaskClosed"}
    assert smtp.catcher.messages == []


async def test_no_address_or_phone_in_logs_or_errors(
    outbox: Sessions, smtp: SmtpServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    people = await store_people(outbox)
    store, notify = activities(outbox)
    smtp.catcher.refuse.add(people.head.email or "")
    tasks = [open_task(p.nip, p.nip) for p in people.all]
    for task in tasks:
        await ActivityEnvironment().run(store.upsert_task, task)
        await ActivityEnvironment().run(notify.notify, reminder(task))
    clock = Clock()
    sender = sender_for(outbox, config_for(smtp.port), clock)
    await sender.drain_once()
    smtp.stop()
    more = open_task(people.staff.nip, people.staff.nip)
    await ActivityEnvironment().run(store.upsert_task, more)
    await sender.drain_once()  # connection refused
    smtp.start()
    clock.advance(timedelta(hours=2))
    await sender.drain_once()
    assert len(smtp.catcher.messages) == 3
    ours = [r for r in caplog.records if r.name.startswith(("appraisal_engine", "aiosmtplib"))]
    assert any("sent" in r.getMessage() for r in ours)
    async with outbox() as session:
        errors = [n.last_error or "" for n in await list_notices(session)]
    text = "\n".join([r.getMessage() for r in ours] + errors)
    assert EMAIL.findall(text) == [] and PHONE.findall(text) == []
