"""The task inbox: list your own tasks, read one, complete it with its kind's body."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Query

from appraisal_engine.api.deps import CurrentPrincipal, SessionDep, TemporalClientDep
from appraisal_engine.api.openapi import responses
from appraisal_engine.api.schemas import Limit, Offset, Page, page_of
from appraisal_engine.domain.records import TaskRecord, TaskStatus
from appraisal_engine.domain.tasks import TaskKind
from appraisal_engine.services import tasks
from appraisal_engine.workflows.messages import TaskBody, TaskCompleted

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
    rows = await tasks.list_for(
        session,
        principal,
        assignee=assignee,
        status=status,
        kind=kind,
        limit=limit + 1,
        offset=offset,
    )
    return page_of(rows, limit, offset)


@router.get("/{task_id}", responses=responses(401, 404))
async def read_task(task_id: str, principal: CurrentPrincipal, session: SessionDep) -> TaskRecord:
    """One task and what it needs (its kind names the body to complete it with)."""
    return await tasks.read(session, principal, task_id)


@router.post("/{task_id}/complete", responses=responses(401, 403, 404, 409, 422, 503))
async def complete_task(
    task_id: str,
    principal: CurrentPrincipal,
    session: SessionDep,
    client: TemporalClientDep,
    body: Annotated[TaskBody, Body(description="the body for the task's kind")],
) -> TaskCompleted:
    """Complete a task as its assignee; returns the appraisal's stage and your next tasks."""
    return await tasks.complete(session, principal, task_id, body, client=client)
