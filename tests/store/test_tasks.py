"""The task inbox repository: idempotent writes, first close wins, filters and pages."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from appraisal_engine.domain.records import TaskStatus
from appraisal_engine.domain.tasks import TaskKind
from appraisal_engine.store.models import TaskRow
from appraisal_engine.store.repositories.tasks import (
    close_task,
    get_task,
    list_tasks,
    open_tasks_of_cycle,
    tasks_by_id,
    upsert_task,
)
from tests.store.builders import T0, WIB, nip, task, uid

CLOSED_AT = datetime(2025, 1, 10, 12, 0, tzinfo=UTC)


async def _count(session: AsyncSession, task_id: str) -> int:
    return int(await session.scalar(select(func.count()).where(TaskRow.id == task_id)) or 0)


async def test_a_task_round_trips_with_every_field(session: AsyncSession) -> None:
    record = task(escalated=True, completed_by=None, detail={"nested": {"a": [1, 2.5, None]}})
    await upsert_task(session, record)
    stored = await get_task(session, record.id)
    assert stored == record
    assert stored is not None and stored.due_at.tzinfo is UTC


async def test_upserting_the_same_task_twice_keeps_one_row(session: AsyncSession) -> None:
    record = task()
    await upsert_task(session, record)
    await upsert_task(session, record)
    assert await _count(session, record.id) == 1
    assert await get_task(session, record.id) == record


async def test_upsert_overwrites_every_field(session: AsyncSession) -> None:
    first = task()
    await upsert_task(session, first)
    changed = first.model_copy(
        update={
            "assignee_nip": nip(9),
            "status": TaskStatus.SUPERSEDED,
            "due_at": first.due_at + timedelta(days=7),
            "closed_at": CLOSED_AT,
            "escalated": True,
            "period": None,
            "detail": {},
            "cycle_id": None,
        }
    )
    await upsert_task(session, changed)
    assert await get_task(session, first.id) == changed


async def test_tasks_by_id_reads_those_that_exist_in_one_go(session: AsyncSession) -> None:
    first, second, other = task(), task(kind=TaskKind.REVIEW, period=None), task()
    for record in (first, second, other):
        await upsert_task(session, record)
    found = await tasks_by_id(session, {first.id, second.id, "no-such-task"})
    assert found == {first.id: first, second.id: second}
    assert await tasks_by_id(session, set()) == {}


async def test_unknown_task_is_none(session: AsyncSession) -> None:
    assert await get_task(session, "no-such-task") is None


async def test_close_task_closes_an_open_task(session: AsyncSession) -> None:
    record = task()
    await upsert_task(session, record)
    closed = await close_task(session, record.id, TaskStatus.DONE, CLOSED_AT, nip(1))
    expected = record.model_copy(
        update={"status": TaskStatus.DONE, "closed_at": CLOSED_AT, "completed_by": nip(1)}
    )
    assert closed == expected
    assert await get_task(session, record.id) == expected


async def test_closing_again_is_a_no_op_and_the_first_close_wins(session: AsyncSession) -> None:
    record = task()
    await upsert_task(session, record)
    first = await close_task(session, record.id, TaskStatus.DONE, CLOSED_AT, nip(1))
    again = await close_task(session, record.id, TaskStatus.DONE, CLOSED_AT, nip(1))
    later = await close_task(
        session, record.id, TaskStatus.MISSING, CLOSED_AT + timedelta(hours=1), None
    )
    assert first == again == later
    assert later is not None and later.status is TaskStatus.DONE


async def test_close_task_of_unknown_task_is_none(session: AsyncSession) -> None:
    assert await close_task(session, "no-such-task", TaskStatus.DONE, CLOSED_AT, None) is None


async def test_close_task_refuses_open_as_a_closing_status(session: AsyncSession) -> None:
    with pytest.raises(ValueError, match="open"):
        await close_task(session, "any", TaskStatus.OPEN, CLOSED_AT, None)


async def test_list_tasks_filters_by_each_field(session: AsyncSession) -> None:
    appraisal_a, appraisal_b = uid("appraisal"), uid("appraisal")
    alice, bob = uid("nip"), uid("nip")
    a1 = task(appraisal_id=appraisal_a, assignee_nip=alice, kind=TaskKind.TARGETS_DRAFT)
    a2 = task(appraisal_id=appraisal_a, assignee_nip=bob, kind=TaskKind.TARGETS_APPROVE)
    b1 = task(appraisal_id=appraisal_b, assignee_nip=alice, kind=TaskKind.SELF_REPORT)
    b2 = task(appraisal_id=appraisal_b, assignee_nip=alice, kind=TaskKind.TARGETS_DRAFT)
    for record in (a1, a2, b1, b2):
        await upsert_task(session, record)
    await close_task(session, b2.id, TaskStatus.DONE, CLOSED_AT, alice)

    def ids(records: list) -> set[str]:  # type: ignore[type-arg]
        return {r.id for r in records}

    assert ids(await list_tasks(session, assignee_nip=alice)) == {a1.id, b1.id, b2.id}
    assert ids(await list_tasks(session, appraisal_id=appraisal_a)) == {a1.id, a2.id}
    open_for_alice = await list_tasks(session, assignee_nip=alice, status=TaskStatus.OPEN)
    assert ids(open_for_alice) == {a1.id, b1.id}
    drafts = await list_tasks(session, assignee_nip=alice, kind=TaskKind.TARGETS_DRAFT)
    assert ids(drafts) == {a1.id, b2.id}
    done_drafts = await list_tasks(
        session, assignee_nip=alice, kind=TaskKind.TARGETS_DRAFT, status=TaskStatus.DONE
    )
    assert ids(done_drafts) == {b2.id}
    assert await list_tasks(session, assignee_nip=bob, kind=TaskKind.REVIEW) == []


async def test_list_tasks_orders_by_due_time_then_id_and_pages(session: AsyncSession) -> None:
    assignee = uid("nip")
    noon_utc = datetime(2025, 2, 1, 12, 0, tzinfo=UTC)
    # 18:00 WIB is 11:00 UTC: earlier than noon UTC although its wall clock reads later.
    early = task(
        id="t-early", assignee_nip=assignee, due_at=datetime(2025, 2, 1, 18, 0, tzinfo=WIB)
    )
    tie_b = task(id="t-tie-b", assignee_nip=assignee, due_at=noon_utc)
    tie_a = task(id="t-tie-a", assignee_nip=assignee, due_at=noon_utc)
    late = task(id="t-late", assignee_nip=assignee, due_at=T0 + timedelta(days=60))
    for record in (late, tie_b, early, tie_a):
        await upsert_task(session, record)
    everything = await list_tasks(session, assignee_nip=assignee)
    assert [r.id for r in everything] == ["t-early", "t-tie-a", "t-tie-b", "t-late"]
    pages = [
        [r.id for r in await list_tasks(session, assignee_nip=assignee, limit=3, offset=offset)]
        for offset in (0, 3, 6)
    ]
    assert pages == [["t-early", "t-tie-a", "t-tie-b"], ["t-late"], []]


async def test_repositories_leave_committing_to_the_caller(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    record = task()
    async with session_factory() as writer:
        await upsert_task(writer, record)
        assert await get_task(writer, record.id) == record
        await writer.rollback()
    async with session_factory() as reader:
        assert await get_task(reader, record.id) is None


async def test_open_tasks_of_a_cycle_leaves_out_closed_ones_and_other_cycles(
    session: AsyncSession,
) -> None:
    cycle = uid("cycle")
    second = task(id=f"{cycle}-b", cycle_id=cycle)
    first = task(id=f"{cycle}-a", cycle_id=cycle, due_at=second.due_at + timedelta(days=1))
    closed = task(id=f"{cycle}-c", cycle_id=cycle)
    elsewhere = task(cycle_id=uid("cycle"))
    for record in (second, first, closed, elsewhere):
        await upsert_task(session, record)
    await close_task(session, closed.id, TaskStatus.DONE, CLOSED_AT, nip(1))
    assert await open_tasks_of_cycle(session, cycle) == [first, second]  # by id, not due time
