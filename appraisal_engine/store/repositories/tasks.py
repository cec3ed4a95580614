"""The task inbox: write tasks as workflows open and close them, list them per assignee."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from appraisal_engine.domain.records import TaskRecord, TaskStatus
from appraisal_engine.domain.tasks import TaskKind
from appraisal_engine.store.models import TaskRow
from appraisal_engine.store.repositories._rows import row_values, table_of, upsert
from appraisal_engine.store.repositories.viewers import Viewer

_tasks = table_of(TaskRow)


async def upsert_task(session: AsyncSession, task: TaskRecord) -> None:
    """Insert the task or overwrite all its fields; writing the same record twice is a no-op."""
    await upsert(session, _tasks, row_values(task))


async def close_task(
    session: AsyncSession,
    task_id: str,
    status: TaskStatus,
    closed_at: datetime,
    completed_by: str | None,
) -> TaskRecord | None:
    """Close an open task and return it; an already closed task is left as it was (first close
    wins, so a retried activity with a later clock changes nothing). None if there is no task."""
    if status is TaskStatus.OPEN:
        raise ValueError("close_task needs a closed status, not 'open'")
    await session.execute(
        update(_tasks)
        .where(_tasks.c.id == task_id, _tasks.c.status == TaskStatus.OPEN.value)
        .values(status=status.value, closed_at=closed_at, completed_by=completed_by)
    )
    return await get_task(session, task_id)


async def get_task(
    session: AsyncSession, task_id: str, *, visible_to: Viewer | None = None
) -> TaskRecord | None:
    """One task by id; with `visible_to`, None too when it is not that viewer's to read (its
    assignee's, HR's and auditors'): the row is never loaded."""
    query = select(_tasks).where(_tasks.c.id == task_id)
    if visible_to is not None and not visible_to.reads_all:
        query = query.where(_tasks.c.assignee_nip == visible_to.nip)
    row = (await session.execute(query)).first()
    return None if row is None else TaskRecord.model_validate(dict(row._mapping))


async def tasks_by_id(session: AsyncSession, task_ids: Collection[str]) -> dict[str, TaskRecord]:
    """The tasks of `task_ids` that exist, by id, in one query."""
    if not task_ids:
        return {}
    query = select(_tasks).where(_tasks.c.id.in_(sorted(task_ids)))
    rows = (await session.execute(query)).all()
    return {row.id: TaskRecord.model_validate(dict(row._mapping)) for row in rows}


async def replaced_task(session: AsyncSession, task: TaskRecord) -> TaskRecord | None:
    """The task `task` took over: of the same appraisal, kind and period, superseded the moment
    `task` opened (an escalation or a reassignment closes one and opens the other at once)."""
    query = select(_tasks).where(
        _tasks.c.appraisal_id == task.appraisal_id,
        _tasks.c.kind == task.kind.value,
        _tasks.c.period.is_not_distinct_from(task.period),
        _tasks.c.status == TaskStatus.SUPERSEDED.value,
        _tasks.c.closed_at == task.opened_at,
    )
    row = (await session.execute(query.order_by(_tasks.c.id).limit(1))).first()
    return None if row is None else TaskRecord.model_validate(dict(row._mapping))


async def list_tasks(
    session: AsyncSession,
    *,
    assignee_nip: str | None = None,
    appraisal_id: str | None = None,
    status: TaskStatus | None = None,
    kind: TaskKind | None = None,
    visible_to: Viewer | None = None,
    limit: int = 50,
    offset: int = 0,
) -> list[TaskRecord]:
    """Tasks matching every given filter, soonest due first (then by id, so pages are stable);
    `visible_to` keeps those that viewer may read (their own, or all for HR and auditors)."""
    query = select(_tasks)
    if visible_to is not None and not visible_to.reads_all:
        query = query.where(_tasks.c.assignee_nip == visible_to.nip)
    if assignee_nip is not None:
        query = query.where(_tasks.c.assignee_nip == assignee_nip)
    if appraisal_id is not None:
        query = query.where(_tasks.c.appraisal_id == appraisal_id)
    if status is not None:
        query = query.where(_tasks.c.status == status.value)
    if kind is not None:
        query = query.where(_tasks.c.kind == kind.value)
    query = query.order_by(_tasks.c.due_at, _tasks.c.id).limit(limit).offset(offset)
    rows = await session.execute(query)
    return [TaskRecord.model_validate(dict(row._mapping)) for row in rows]


async def open_tasks_of_cycle(session: AsyncSession, cycle_id: str) -> list[TaskRecord]:
    """Every open task of the cycle, in a stable order (by id)."""
    rows = await session.execute(
        select(_tasks)
        .where(_tasks.c.cycle_id == cycle_id, _tasks.c.status == TaskStatus.OPEN.value)
        .order_by(_tasks.c.id)
    )
    return [TaskRecord.model_validate(dict(row._mapping)) for row in rows]


async def open_tasks_of(session: AsyncSession, appraisal_ids: Collection[str]) -> list[TaskRecord]:
    """The open tasks of the given appraisals, soonest due first."""
    if not appraisal_ids:
        return []
    rows = await session.execute(
        select(_tasks)
        .where(
            _tasks.c.appraisal_id.in_(set(appraisal_ids)),
            _tasks.c.status == TaskStatus.OPEN.value,
        )
        .order_by(_tasks.c.due_at, _tasks.c.id)
    )
    return [TaskRecord.model_validate(dict(row._mapping)) for row in rows]
