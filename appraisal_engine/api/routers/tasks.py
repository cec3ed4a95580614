"""The task inbox: list your own tasks, read one, complete it with its kind's body."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Query

from appraisal_engine.api.access import sees_task
from appraisal_engine.api.deps import CurrentPrincipal, SessionDep, TemporalClientDep
from appraisal_engine.api.openapi import responses
from appraisal_engine.api.problems import FieldError, ProblemError, not_found
from appraisal_engine.api.routers.appraisals import handle_of
from appraisal_engine.api.schemas import Limit, Offset, Page, page_of
from appraisal_engine.api.temporal_errors import workflow_call
from appraisal_engine.domain.records import TaskRecord, TaskStatus
from appraisal_engine.domain.tasks import TaskKind
from appraisal_engine.store.repositories.tasks import get_task, list_tasks
from appraisal_engine.workflows.appraisal.workflow import AppraisalWorkflow
from appraisal_engine.workflows.messages import CompleteTaskInput, TaskBody, TaskCompleted

router = APIRouter(prefix="/v1/tasks", tags=["tasks"])


@router.get("", responses=responses(401, 403, 422))
async def list_my_tasks(
    principal: CurrentPrincipal,
    session: SessionDep,
    limit: Limit = 50,
    offset: Offset = 0,
    status: TaskStatus | None = None,
    kind: TaskKind | None = None,
    assignee: Annotated[
        str | None, Query(max_length=18, description="HR and auditors only: another's tasks")
    ] = None,
) -> Page[TaskRecord]:
    """The caller's tasks, soonest due first; HR and auditors may name another assignee."""
    others = assignee is not None and assignee != principal.nip
    if others and not principal.reads_all:
        raise ProblemError(403, "only HR and auditors may list another person's tasks")
    who = assignee or principal.nip
    rows = await list_tasks(
        session, assignee_nip=who, status=status, kind=kind, limit=limit + 1, offset=offset
    )
    return page_of(rows, limit, offset)


@router.get("/{task_id}", responses=responses(401, 404))
async def read_task(task_id: str, principal: CurrentPrincipal, session: SessionDep) -> TaskRecord:
    """One task and what it needs (its kind names the body to complete it with)."""
    task = await get_task(session, task_id)
    if task is None or not sees_task(principal, task):
        raise not_found("task")
    return task


@router.post("/{task_id}/complete", responses=responses(401, 403, 404, 409, 422, 503))
async def complete_task(
    task_id: str,
    principal: CurrentPrincipal,
    session: SessionDep,
    client: TemporalClientDep,
    body: Annotated[TaskBody, Body(description="the body for the task's kind")],
) -> TaskCompleted:
    """Complete a task as its assignee; returns the appraisal's stage and your next tasks."""
    task = await get_task(session, task_id)
    if task is None or not sees_task(principal, task):
        raise not_found("task")
    if task.assignee_nip != principal.nip:
        raise ProblemError(403, "only the assignee completes a task")
    if body.kind != task.kind.value:
        raise ProblemError(
            422,
            f"this task needs a {task.kind.value} body",
            errors=[FieldError(field="body.kind", message=f"must be {task.kind.value!r}")],
        )
    handle = handle_of(client, task.appraisal_id)
    async with workflow_call():
        return await handle.execute_update(
            AppraisalWorkflow.complete_task,
            CompleteTaskInput(task_id=task_id, actor_nip=principal.nip, body=body),
        )
