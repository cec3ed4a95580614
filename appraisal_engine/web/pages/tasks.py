"""My tasks: the inbox, each task's form, and submitting it. A refused submission shows the
form again with each field's error beside it and what was typed kept."""

from __future__ import annotations

import typing
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, ValidationError
from starlette.responses import RedirectResponse, Response
from temporalio.client import Client

from appraisal_engine.api.auth import Principal
from appraisal_engine.api.deps import SessionDep, TemporalClientDep, services
from appraisal_engine.api.problems import service_status
from appraisal_engine.domain.errors import DomainError
from appraisal_engine.domain.presets import preset
from appraisal_engine.domain.records import TaskRecord, TaskStatus
from appraisal_engine.domain.review import Assessment, assess_year
from appraisal_engine.domain.tasks import TaskKind
from appraisal_engine.services import appraisals, people, tasks
from appraisal_engine.services.errors import NotFound, ServiceError
from appraisal_engine.web.forms import field_errors, posted, service_errors
from appraisal_engine.web.pages import unit_ratings
from appraisal_engine.web.render import gettext_for, render
from appraisal_engine.web.routing import PageRoute
from appraisal_engine.web.security import check_form_token
from appraisal_engine.web.session import SignedIn
from appraisal_engine.workflows.messages import AppraisalState, ReviewBody, TaskBody

router = APIRouter(route_class=PageRoute, dependencies=[Depends(check_form_token)])

BODIES: dict[str, type[BaseModel]] = {
    typing.get_args(model.model_fields["kind"].annotation)[0]: model
    for model in typing.get_args(typing.get_args(TaskBody)[0])
}
"""Each task kind's body model, from the API's own union."""
DUE_SOON = timedelta(days=3)
PART: dict[TaskKind, str] = {
    TaskKind.TARGETS_DRAFT: "plan",
    TaskKind.SELF_REPORT: "report",
    TaskKind.FEEDBACK: "feedback",
    TaskKind.PEER_FEEDBACK: "answers",
    TaskKind.REVIEW: "review",
}
"""The part of each kind's body that a workflow's refusal names fields within."""


def badges(task: TaskRecord, now: datetime) -> list[str]:
    """What the inbox marks a task with: overdue, escalated, or due soon."""
    marks = []
    if task.due_at < now:
        marks.append("overdue")
    elif task.due_at - now < DUE_SOON:
        marks.append("due_soon")
    if task.escalated:
        marks.append("escalated")
    return marks


def number_targets(data: dict[str, Any]) -> None:
    """A plan's rows are coded T1, T2, ... in the order written (the form asks for no code)."""
    plan = data.get("plan")
    if isinstance(plan, dict):
        for i, target in enumerate(plan.get("targets") or []):
            if isinstance(target, dict):
                target.setdefault("id", f"T{i + 1}")


@router.get("/tasks", include_in_schema=False)
async def inbox(
    request: Request, me: SignedIn, session: SessionDep, client: TemporalClientDep
) -> Response:
    """My open tasks, soonest due first, and the units whose rating I still have to decide."""
    found = await tasks.list_for(session, me, status=TaskStatus.OPEN, limit=200)
    to_rate = await unit_ratings.open_for(me, session, client)
    names = await people.employee_names(session, found)
    now = datetime.now(UTC)
    flash = request.session.pop("flash", None)
    return render(
        request,
        "tasks/inbox.html",
        tasks=found,
        names=names,
        badges=lambda t: badges(t, now),
        flash=flash,
        to_rate=to_rate,
    )


async def _state(
    request: Request, session: SessionDep, me: Principal, task: TaskRecord, client: Client
) -> AppraisalState | None:
    """The appraisal as the person may see it, for the form's context (a peer sees none)."""
    try:
        view = await appraisals.read_state(
            session, me, task.appraisal_id, client=client, sessions=services(request).sessions
        )
    except NotFound:
        return None
    return view.appraisal


async def _form(
    request: Request,
    session: SessionDep,
    client: TemporalClientDep,
    me: Principal,
    task: TaskRecord,
    *,
    status_code: int = 200,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
) -> Response:
    state = await _state(request, session, me, task, client)
    names = await people.employee_names(session, [task])
    return render(
        request,
        f"tasks/{task.kind.value}.html",
        status_code,
        task=task,
        name=names.get(task.employee_nip),
        state=state,
        mine=task.assignee_nip == me.nip and task.status is TaskStatus.OPEN,
        values=values or {},
        errors=errors or {},
    )


@router.get("/tasks/{task_id}", include_in_schema=False)
async def task_page(
    request: Request, task_id: str, me: SignedIn, session: SessionDep, client: TemporalClientDep
) -> Response:
    """A task and its form (read-only for HR and auditors, and once it is closed)."""
    task = await tasks.read(session, me, task_id)
    return await _form(request, session, client, me, task)


@router.post("/tasks/{task_id}", include_in_schema=False)
async def submit(
    request: Request, task_id: str, me: SignedIn, session: SessionDep, client: TemporalClientDep
) -> Response:
    """Complete the task with the form; on a refusal, the form again with the errors beside
    their fields and what was typed kept."""
    task = await tasks.read(session, me, task_id)
    values, data = await posted(request)
    if task.kind is TaskKind.TARGETS_DRAFT:
        number_targets(data)
    _ = gettext_for(request)
    try:
        body = BODIES[task.kind.value].model_validate({**data, "kind": task.kind})
        await tasks.complete(session, me, task_id, typing.cast(TaskBody, body), client=client)
    except ValidationError as e:
        status, errors = 422, field_errors(e, _, values)
    except NotFound:
        raise
    except ServiceError as e:
        status = service_status(e)
        errors = service_errors(e, _, values, within=PART.get(task.kind, ""))
    else:
        request.session["flash"] = "done"
        return RedirectResponse("/tasks", status_code=303)
    return await _form(
        request, session, client, me, task, status_code=status, values=values, errors=errors
    )


@router.post("/tasks/{task_id}/preview", include_in_schema=False)
async def preview(
    request: Request, task_id: str, me: SignedIn, session: SessionDep, client: TemporalClientDep
) -> Response:
    """The grade a review would give, from the domain's own rules, before it is submitted."""
    task = await tasks.read(session, me, task_id)
    result: Assessment | None = None
    if task.kind is TaskKind.REVIEW:
        state = await _state(request, session, me, task, client)
        _, data = await posted(request)
        try:
            body = ReviewBody.model_validate(data)
            if state is not None and state.plan is not None:
                policy = preset(state.policy)
                # A unit's head: the results their appraisal takes from the unit's rating.
                head = state.unit_rating if state.unit_results is not None else None
                if head is not None and state.unit_results is not None:
                    mapping = {head: state.unit_results}
                    policy = policy.model_copy(update={"unit_head_results": mapping})
                rated = [
                    p.feedback.rating.grade
                    for p in state.periods
                    if p.feedback and p.feedback.rating
                ]
                result = assess_year(
                    policy,
                    body.review,
                    state.plan,
                    state.community_score,
                    rated,
                    state.peer,
                    unit_code=state.unit_code,
                    unit_rating=head,
                )
        except (ValidationError, DomainError):
            pass  # not every rating given yet, or a policy that is not a preset: no preview
    return render(request, "tasks/_preview.html", preview=result)
