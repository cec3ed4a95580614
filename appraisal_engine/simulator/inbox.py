"""A cycle as its scripted actors and HR see it: open tasks, a unit's grades, answering tasks."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio.client import Client

from appraisal_engine.domain.calibration import UnitGrade
from appraisal_engine.domain.records import TaskRecord
from appraisal_engine.store.repositories.grades import unit_grades_of
from appraisal_engine.store.repositories.tasks import open_tasks_of_cycle
from appraisal_engine.workflows.appraisal.workflow import AppraisalWorkflow
from appraisal_engine.workflows.messages import CompleteTaskInput, TaskBody, TaskCompleted

ANSWERS_AT_ONCE = 24  # tasks completed at once: a busy office's morning


async def open_tasks(sessions: async_sessionmaker[AsyncSession], cycle_id: str) -> list[TaskRecord]:
    """Every open task of the cycle, from the inbox, in a stable order."""
    async with sessions() as session:
        return await open_tasks_of_cycle(session, cycle_id)


async def unit_grades(
    sessions: async_sessionmaker[AsyncSession], cycle_id: str, unit: str
) -> list[UnitGrade]:
    """The unit's reviewed, uncancelled appraisals with their grades, as calibration reads them."""
    async with sessions() as session:
        return await unit_grades_of(session, cycle_id, unit)


async def answer_tasks(
    client: Client,
    tasks: Sequence[TaskRecord],
    body_for: Callable[[TaskRecord], TaskBody | None],
    *,
    concurrency: int = ANSWERS_AT_ONCE,
) -> list[TaskCompleted]:
    """Complete each task its assignee has a body for, a bounded number at a time."""
    gate = asyncio.Semaphore(concurrency)

    async def one(task: TaskRecord, body: TaskBody) -> TaskCompleted:
        async with gate:
            return await client.get_workflow_handle(task.appraisal_id).execute_update(
                AppraisalWorkflow.complete_task,
                CompleteTaskInput(task_id=task.id, actor_nip=task.assignee_nip, body=body),
            )

    jobs = [one(t, body) for t in tasks if (body := body_for(t)) is not None]
    return list(await asyncio.gather(*jobs))
