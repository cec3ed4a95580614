"""The task inbox: the caller's tasks, one task, and completing it with its kind's body."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession
from temporalio.client import Client

from appraisal_engine.domain.records import TaskRecord, TaskStatus
from appraisal_engine.domain.tasks import TaskKind
from appraisal_engine.services.access import Caller, viewer
from appraisal_engine.services.appraisals import handle_of
from appraisal_engine.services.errors import Forbidden, Invalid, Issue, NotFound
from appraisal_engine.services.workflow_calls import workflow_call
from appraisal_engine.store.repositories.tasks import get_task, list_tasks
from appraisal_engine.workflows.appraisal.workflow import AppraisalWorkflow
from appraisal_engine.workflows.messages import CompleteTaskInput, TaskBody, TaskCompleted


async def list_for(
    session: AsyncSession,
    who: Caller,
    *,
    assignee: str | None = None,
    status: TaskStatus | None = None,
    kind: TaskKind | None = None,
    limit: int = 50,
    offset: int = 0,
) -> list[TaskRecord]:
    """The caller's tasks, soonest due first; HR and auditors may name another assignee."""
    others = assignee is not None and assignee != who.nip
    if others and not who.reads_all:
        raise Forbidden("only HR and auditors may list another person's tasks")
    return await list_tasks(
        session,
        assignee_nip=assignee or who.nip,
        status=status,
        kind=kind,
        visible_to=viewer(who),
        limit=limit,
        offset=offset,
    )


async def read(session: AsyncSession, who: Caller, task_id: str) -> TaskRecord:
    """One task, for its assignee, HR and auditors; NotFound alike for missing and not theirs."""
    task = await get_task(session, task_id, visible_to=viewer(who))
    if task is None:
        raise NotFound("task")
    return task


async def complete(
    session: AsyncSession, who: Caller, task_id: str, body: TaskBody, *, client: Client
) -> TaskCompleted:
    """Complete a task as its assignee; returns the appraisal's stage and the caller's next
    tasks."""
    task = await read(session, who, task_id)
    if task.assignee_nip != who.nip:
        raise Forbidden("only the assignee completes a task")
    if body.kind != task.kind.value:
        raise Invalid(
            f"this task needs a {task.kind.value} body",
            issues=[Issue(field="kind", message=f"must be {task.kind.value!r}")],
        )
    async with workflow_call():
        return await handle_of(client, task.appraisal_id).execute_update(
            AppraisalWorkflow.complete_task,
            CompleteTaskInput(task_id=task_id, actor_nip=who.nip, body=body),
        )
