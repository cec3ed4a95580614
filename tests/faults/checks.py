"""What the fault tests look at: appraisal runs in visibility, the inbox against each workflow's
own task book, the audit log, and bounded waiting for any of it."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable
from typing import TypeVar

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio.client import Client, WorkflowExecutionStatus

from appraisal_engine.domain.employee import Employee
from appraisal_engine.domain.records import TaskRecord
from appraisal_engine.store.models import AppraisalRow, AuditEventRow, TaskRow
from appraisal_engine.store.repositories.rosters import add_roster
from appraisal_engine.workflows.appraisal.workflow import AppraisalWorkflow
from appraisal_engine.workflows.messages import AppraisalState

T = TypeVar("T")


async def eventually(
    probe: Callable[[], Awaitable[T]],
    done: Callable[[T], bool],
    *,
    within: float,
    every: float = 0.25,
    what: str = "the condition",
) -> T:
    """Probe until `done` holds; fail naming `what` and the last value after `within` seconds."""
    deadline = time.monotonic() + within
    while True:
        value = await probe()
        if done(value):
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} did not hold within {within:.0f} s; last: {value!r}")
        await asyncio.sleep(every)


async def store_roster(
    sessions: async_sessionmaker[AsyncSession], org: str, employees: list[Employee]
) -> str:
    """Store a roster snapshot under a fresh id."""
    roster_id = f"roster-{uuid.uuid4().hex[:10]}"
    async with sessions() as session, session.begin():
        await add_roster(session, roster_id, org, employees, checksum=roster_id)
    return roster_id


def cycle_query(cycle_id: str) -> str:
    """The visibility query for a cycle's appraisals."""
    return f'AppraisalCycle = "{cycle_id}"'


async def appraisal_runs(client: Client, cycle_id: str) -> Counter[str]:
    """How many runs each of the cycle's appraisal workflow ids has."""
    runs: Counter[str] = Counter()
    async for execution in client.list_workflows(cycle_query(cycle_id)):
        runs[execution.id] += 1
    return runs


async def unfinished_runs(client: Client, cycle_id: str) -> list[str]:
    """The cycle's appraisals not completed (still running, failed, terminated...)."""
    return [
        e.id
        async for e in client.list_workflows(cycle_query(cycle_id))
        if e.status is not WorkflowExecutionStatus.COMPLETED
    ]


async def first_tasks_done(client: Client, workflow_ids: list[str]) -> int:
    """How many of the workflows have completed their first workflow task and have none
    pending (a failed one schedules another), 50 looked at a time."""
    gate = asyncio.Semaphore(50)

    async def done(workflow_id: str) -> bool:
        async with gate:
            described = await client.get_workflow_handle(workflow_id).describe()
        # Events 1-4: started, task scheduled, task started, task completed or failed.
        pending = described.raw_description.HasField("pending_workflow_task")
        return (described.history_length or 0) >= 4 and not pending

    return sum(await asyncio.gather(*(done(i) for i in workflow_ids)))


async def count_rows(sessions: async_sessionmaker[AsyncSession], model: type) -> int:
    """Rows in a read-model table."""
    async with sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def inbox(sessions: async_sessionmaker[AsyncSession]) -> list[TaskRecord]:
    """Every task row."""
    async with sessions() as session:
        rows = await session.scalars(select(TaskRow).order_by(TaskRow.id))
        return [TaskRecord.model_validate(r, from_attributes=True) for r in rows]


async def appraisal_rows(sessions: async_sessionmaker[AsyncSession]) -> dict[str, AppraisalRow]:
    """The appraisal read model by id."""
    async with sessions() as session:
        return {r.id: r for r in await session.scalars(select(AppraisalRow))}


async def audit_kinds(
    sessions: async_sessionmaker[AsyncSession],
) -> list[tuple[str, str | None, dict[str, object]]]:
    """(kind, appraisal id, payload) of every audit event, in chain order."""
    async with sessions() as session:
        rows = await session.execute(
            select(AuditEventRow.kind, AuditEventRow.appraisal_id, AuditEventRow.payload).order_by(
                AuditEventRow.seq
            )
        )
        return [(k, a, dict(p)) for k, a, p in rows]


async def workflow_states(client: Client, ids: list[str]) -> dict[str, AppraisalState]:
    """Each appraisal's own view of itself, from its state query."""
    gate = asyncio.Semaphore(16)

    async def one(workflow_id: str) -> AppraisalState:
        async with gate:
            handle = client.get_workflow_handle_for(AppraisalWorkflow.run, workflow_id)
            return await handle.query(AppraisalWorkflow.state)

    states = await asyncio.gather(*(one(i) for i in ids))
    return dict(zip(ids, states, strict=True))


def inbox_mismatches(rows: list[TaskRecord], states: dict[str, AppraisalState]) -> list[str]:
    """Where the inbox differs from the workflows' task books: lost, extra or different rows."""
    held = {t.id: t for s in states.values() for t in s.tasks}
    stored = {t.id: t for t in rows}
    problems = [f"lost from the inbox: {i}" for i in sorted(set(held) - set(stored))]
    problems += [f"in the inbox only: {i}" for i in sorted(set(stored) - set(held))]
    for task_id in sorted(set(held) & set(stored)):
        a, b = held[task_id], stored[task_id]
        if (a.status, a.assignee_nip, a.completed_by) != (b.status, b.assignee_nip, b.completed_by):
            problems.append(f"{task_id}: workflow {a.status}/{a.assignee_nip}, inbox {b.status}")
    return problems
