"""The outbox: notices written by the step that causes them, once however often it runs, and
claimed by one sender at a time."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio.testing import ActivityEnvironment

from appraisal_engine.domain.notices import NoticeKind, NoticeStatus
from appraisal_engine.domain.records import Notification, NotificationKind, TaskStatus
from appraisal_engine.store.repositories.notices import claim_due, list_notices
from tests.notices.conftest import activities, fresh_nip, open_task

Sessions = async_sessionmaker[AsyncSession]


async def test_a_task_opened_is_announced_once_however_often_it_is_written(outbox: Sessions):
    store, _ = activities(outbox)
    employee = fresh_nip()
    task = open_task(employee, employee)
    env = ActivityEnvironment()
    await env.run(store.upsert_task, task)
    await env.run(store.upsert_task, task)  # a retried activity
    await env.run(store.upsert_task, task.model_copy(update={"due_at": task.due_at + timedelta(7)}))
    async with outbox() as session:
        rows = await list_notices(session, task_id=task.id)
    assert [(n.kind, n.recipient_nip, n.status) for n in rows] == [
        (NoticeKind.TASK_OPENED, employee, NoticeStatus.PENDING)
    ]


async def test_closed_and_escalated_tasks_announce_nothing(outbox: Sessions) -> None:
    store, _ = activities(outbox)
    employee = fresh_nip()
    closed = open_task(employee, employee).model_copy(update={"status": TaskStatus.DONE})
    escalated = open_task(employee, employee).model_copy(update={"escalated": True})
    for task in (closed, escalated):
        await ActivityEnvironment().run(store.upsert_task, task)
        async with outbox() as session:
            assert await list_notices(session, task_id=task.id) == []


async def test_a_retried_notify_writes_one_row_per_recipient(outbox: Sessions) -> None:
    _, notify = activities(outbox)
    employee, boss, superior = fresh_nip(), fresh_nip(), fresh_nip()
    task = open_task(employee, employee)
    note = Notification(
        kind=NotificationKind.ESCALATION, task_id=task.id, task_kind=task.kind,
        appraisal_id=task.appraisal_id, recipients=[boss, superior], due_at=task.due_at,
    )  # fmt: skip
    env = ActivityEnvironment()
    await env.run(notify.notify, note)
    await env.run(notify.notify, note)
    later = note.model_copy(update={"due_at": note.due_at + timedelta(days=7)})
    await env.run(notify.notify, later)  # an extended deadline escalates again
    async with outbox() as session:
        rows = await list_notices(session, task_id=task.id)
    assert sorted((n.recipient_nip, n.due_at) for n in rows) == sorted(
        [(boss, note.due_at), (superior, note.due_at), (boss, later.due_at),
         (superior, later.due_at)]
    )  # fmt: skip
    assert {n.kind for n in rows} == {NoticeKind.ESCALATION}


async def test_a_claim_leases_its_rows(outbox: Sessions) -> None:
    store, _ = activities(outbox)
    for _ in range(3):
        employee = fresh_nip()
        await ActivityEnvironment().run(store.upsert_task, open_task(employee, employee))
    async with outbox() as session:
        now = (await list_notices(session))[-1].created_at
    lease = timedelta(minutes=15)
    async with outbox() as session, session.begin():
        first = await claim_due(session, now, limit=2, lease=lease)
    async with outbox() as session, session.begin():
        second = await claim_due(session, now, limit=2, lease=lease)
    async with outbox() as session, session.begin():
        none_yet = await claim_due(session, now, limit=2, lease=lease)
    assert len(first) == 2 and len(second) == 1 and none_yet == []
    assert {n.id for n in first}.isdisjoint({n.id for n in second})
    assert {n.attempts for n in first + second} == {1}
    async with outbox() as session, session.begin():  # the lease ran out: a crashed sender's
        again = await claim_due(session, now + lease, limit=5, lease=lease)
    assert len(again) == 3 and {n.attempts for n in again} == {2}


async def test_two_senders_claiming_at_once_take_different_rows(outbox: Sessions) -> None:
    """PostgreSQL: the second claim skips the rows the first has locked; SQLite: it waits for
    the first to commit and finds them leased. Either way no row is taken twice."""
    store, _ = activities(outbox)
    for _ in range(3):
        employee = fresh_nip()
        await ActivityEnvironment().run(store.upsert_task, open_task(employee, employee))
    async with outbox() as session:
        now = (await list_notices(session))[-1].created_at
    lease = timedelta(minutes=15)
    first_holds = asyncio.Event()

    async def first() -> set[str]:
        async with outbox() as session, session.begin():
            claimed = await claim_due(session, now, limit=2, lease=lease)
            first_holds.set()
            await asyncio.sleep(0.3)  # still uncommitted while the other claims
        return {n.id for n in claimed}

    async def second() -> set[str]:
        await first_holds.wait()
        async with outbox() as session, session.begin():
            return {n.id for n in await claim_due(session, now, limit=3, lease=lease)}

    a, b = await asyncio.gather(first(), second())
    assert len(a) == 2 and len(b) == 1 and a.isdisjoint(b)
