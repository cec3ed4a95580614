"""HR uploads a roster: the organisation's code and a CSV or JSON file. A refused file is shown
as every problem by row and column, with nothing stored; an accepted one as its summary and a
link to launch the year from it."""

from __future__ import annotations

from collections import Counter
from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from pydantic import TypeAdapter, ValidationError
from starlette.responses import RedirectResponse, Response

from appraisal_engine.api.deps import SessionDep
from appraisal_engine.api.problems import service_status
from appraisal_engine.api.routers.rosters import Org
from appraisal_engine.services import access, rosters
from appraisal_engine.services.errors import Conflict, Invalid
from appraisal_engine.web.forms import detail_text, field_errors, issue_text
from appraisal_engine.web.i18n import N_
from appraisal_engine.web.render import gettext_for, render
from appraisal_engine.web.routing import PageRoute
from appraisal_engine.web.security import check_form_token
from appraisal_engine.web.session import SignedIn

router = APIRouter(route_class=PageRoute, dependencies=[Depends(check_form_token)])

PATH = "/hr/rosters"
_ORG = TypeAdapter(Org)  # the API's own rule for the organisation's code
PAGE = 1000
NO_FILE = N_("Choose the roster file (CSV or JSON).")


@router.get(PATH, include_in_schema=False)
async def upload_page(request: Request, me: SignedIn) -> Response:
    """The upload form (HR's)."""
    access.require_hr(me)
    return render(request, "hr/rosters.html", values={}, errors={}, problems=[])


@router.post(PATH, include_in_schema=False)
async def upload(
    request: Request,
    me: SignedIn,
    session: SessionDep,
    org: Annotated[str, Form()] = "",
    file: Annotated[UploadFile | None, File()] = None,
) -> Response:
    """Validate and store the roster; on a refusal, every problem by row and column."""
    access.require_hr(me)
    _ = gettext_for(request)
    values = {"org": org}
    errors: dict[str, str] = {}
    try:
        _ORG.validate_python(org.strip())
    except ValidationError as e:
        errors["org"] = next(iter(field_errors(e, _).values()))
    data = await file.read() if file is not None else b""
    if not data:
        errors["file"] = _(NO_FILE)
    if errors:
        return render(request, "hr/rosters.html", 422, values=values, errors=errors, problems=[])
    assert file is not None
    is_json = rosters.is_json(file.content_type, file.filename)
    try:
        summary = await rosters.upload(session, me, org.strip(), data, is_json=is_json)
    except Invalid as e:
        return render(
            request,
            "hr/rosters.html",
            422,
            values=values,
            errors={"": detail_text(e, _)},
            problems=[(i.row, i.field, issue_text(i, _)) for i in e.issues],
        )
    except Conflict as e:
        return render(
            request,
            "hr/rosters.html",
            service_status(e),
            values=values,
            errors={"": detail_text(e, _)},
            problems=[],
        )
    return RedirectResponse(f"{PATH}/{summary.id}", status_code=303)


@router.get(PATH + "/{roster_id}", include_in_schema=False)
async def roster_page(
    request: Request, roster_id: str, me: SignedIn, session: SessionDep
) -> Response:
    """A stored roster: its summary, its units, and the way on to launch the year from it."""
    summary = await rosters.read(session, me, roster_id)
    units = await _units(session, me, summary.id)
    return render(request, "hr/roster.html", summary=summary, units=units)


async def _units(session: SessionDep, me: SignedIn, roster_id: str) -> list[tuple[str, str, int]]:
    """The stored snapshot's units by code, with their names and how many employees each has."""
    counts: Counter[tuple[str, str]] = Counter()
    offset = 0
    while True:
        page = await rosters.employees(session, me, roster_id, limit=PAGE, offset=offset)
        counts.update((e.unit_code, e.unit_name) for e in page)
        if len(page) < PAGE:
            return [(code, name, n) for (code, name), n in sorted(counts.items())]
        offset += PAGE
