"""My appraisal and my team: the year's stages as a progress line, targets, reports, feedback,
grade, outcome and timeline; the appraisals a supervisor or superior stands above; the appeal."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from pydantic import ValidationError
from starlette.responses import RedirectResponse, Response

from appraisal_engine.api.deps import SessionDep, TemporalClientDep, services
from appraisal_engine.api.problems import service_status
from appraisal_engine.domain.records import TaskStatus
from appraisal_engine.domain.stages import Stage
from appraisal_engine.services import appraisals
from appraisal_engine.services.errors import NotFound, ServiceError
from appraisal_engine.web.forms import field_errors, service_errors
from appraisal_engine.web.plan_context import plan_context
from appraisal_engine.web.render import gettext_for, render
from appraisal_engine.web.routing import PageRoute
from appraisal_engine.web.security import check_form_token
from appraisal_engine.web.session import SignedIn

router = APIRouter(route_class=PageRoute, dependencies=[Depends(check_form_token)])

PROGRESS = [
    Stage.TARGETS,
    Stage.MONITORING,
    Stage.PEER_INPUT,
    Stage.REVIEW,
    Stage.CALIBRATION,
    Stage.APPEAL,
    Stage.OUTCOME,
    Stage.DONE,
]


@router.get("/appraisals", include_in_schema=False)
async def mine(request: Request, me: SignedIn, session: SessionDep) -> Response:
    """My own appraisals, every year's (the team's are on /team)."""
    found = await appraisals.list_own(session, me, limit=200)
    return render(request, "appraisals/list.html", own=found)


async def appraisal_page(
    request: Request,
    appraisal_id: str,
    me: SignedIn,
    session: SessionDep,
    client: TemporalClientDep,
    *,
    status_code: int = 200,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    failed: str = "",
) -> Response:
    """The appraisal's page; after a refused form, `failed` names that form (`appeal`,
    `reassign`, `deadline`, `cancel`, `plan`, `follow_up`) and its errors and typed values are
    shown again."""
    shared = services(request).sessions
    view = await appraisals.read_state(session, me, appraisal_id, client=client, sessions=shared)
    try:
        timeline = await appraisals.read_history(
            session, me, appraisal_id, client=client, sessions=shared
        )
    except NotFound:
        timeline = None  # the history is the employee's, HR's and auditors' to read
    state = view.appraisal
    development = await plan_context(session, shared, me, state, client)
    reached = PROGRESS.index(state.stage) if state.stage in PROGRESS else -1
    return render(
        request,
        "appraisals/detail.html",
        status_code,
        flash=request.session.pop("flash", None),
        state=state,
        timeline=timeline,
        progress=PROGRESS,
        reached=reached,
        own=state.employee_nip == me.nip,
        open_tasks=[t for t in state.tasks if t.status is TaskStatus.OPEN],
        errors=errors or {},
        values=values or {},
        failed=failed,
        **development,
    )


@router.get("/appraisals/{appraisal_id}", include_in_schema=False)
async def detail(
    request: Request,
    appraisal_id: str,
    me: SignedIn,
    session: SessionDep,
    client: TemporalClientDep,
) -> Response:
    """One appraisal as the person may see it."""
    return await appraisal_page(request, appraisal_id, me, session, client)


async def after_form(
    request: Request,
    appraisal_id: str,
    me: SignedIn,
    session: SessionDep,
    client: TemporalClientDep,
    *,
    form: str,
    refused: tuple[int, dict[str, str]] | None,
    values: dict[str, str],
    flash: str | None = None,
) -> Response:
    """Where a form of the appraisal's page leads: taken, back to the page with its flash
    (`flash`, else the form's name); refused (status and errors), the page again with the
    form's errors and typed values."""
    if refused is None:
        request.session["flash"] = flash or form
        return RedirectResponse(f"/appraisals/{appraisal_id}", status_code=303)
    status, errors = refused
    return await appraisal_page(
        request,
        appraisal_id,
        me,
        session,
        client,
        status_code=status,
        errors=errors,
        values=values,
        failed=form,
    )


@router.post("/appraisals/{appraisal_id}/appeal", include_in_schema=False)
async def appeal(
    request: Request,
    appraisal_id: str,
    me: SignedIn,
    session: SessionDep,
    client: TemporalClientDep,
    reason: Annotated[str, Form()] = "",
) -> Response:
    """The employee files a keberatan inside the window."""
    _ = gettext_for(request)
    refused: tuple[int, dict[str, str]] | None = None
    try:
        await appraisals.file_appeal(session, me, appraisal_id, reason.strip(), client=client)
    except ValidationError as e:
        refused = 422, field_errors(e, _)
    except NotFound:
        raise
    except ServiceError as e:
        refused = service_status(e), service_errors(e, _)
    return await after_form(
        request,
        appraisal_id,
        me,
        session,
        client,
        form="appeal",
        refused=refused,
        values={"reason": reason},
        flash="appeal_filed",
    )
