"""Roster snapshots: HR uploads the city's roster; nothing is stored unless all of it is valid."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, UploadFile, status

from appraisal_engine.api.deps import HrPrincipal, ReaderPrincipal, SessionDep
from appraisal_engine.api.openapi import responses
from appraisal_engine.api.problems import FieldError, ProblemError, not_found
from appraisal_engine.api.schemas import Limit, Offset, Page, page_of
from appraisal_engine.domain.employee import Employee
from appraisal_engine.domain.roster import RosterInvalid, parse_roster, validate_roster
from appraisal_engine.store.repositories.rosters import (
    RosterConflictError,
    RosterSummary,
    get_roster,
    list_employees,
    store_roster,
)

router = APIRouter(prefix="/v1/rosters", tags=["rosters"])
Org = Annotated[
    str,
    Form(
        min_length=1,
        max_length=40,
        pattern=r"^[a-z0-9-]+$",
        description="the organisation, e.g. kota-binjai",
        examples=["kota-binjai"],
    ),
]


@router.post("", status_code=status.HTTP_201_CREATED, responses=responses(401, 403, 409, 413, 422))
async def upload_roster(
    principal: HrPrincipal,
    session: SessionDep,
    org: Org,
    file: Annotated[UploadFile, File(description="roster.csv (comma or semicolon) or .json")],
) -> RosterSummary:
    """Validate and store a roster snapshot; 422 lists every problem by row and field."""
    data = await file.read()  # the body limit for /v1/rosters bounds it (api.app)
    is_json = (file.content_type or "").endswith("json") or (file.filename or "").endswith(".json")
    try:
        roster = validate_roster(parse_roster(data, content_type="json" if is_json else None))
    except RosterInvalid as e:
        errors = [
            FieldError(row=err.row, field=err.field or "file", message=err.message)
            for err in e.errors
        ]
        raise ProblemError(422, str(e), code="RosterInvalid", errors=errors) from None
    try:
        return await store_roster(session, org, roster)
    except RosterConflictError as e:
        raise ProblemError(409, str(e)) from None


@router.get("/{roster_id}", responses=responses(401, 403, 404))
async def read_roster(
    roster_id: str, principal: ReaderPrincipal, session: SessionDep
) -> RosterSummary:
    """A stored roster snapshot's summary."""
    found = await get_roster(session, roster_id)
    if found is None:
        raise not_found("roster")
    return found


@router.get("/{roster_id}/employees", responses=responses(401, 403, 404, 422))
async def read_roster_employees(
    roster_id: str,
    principal: ReaderPrincipal,
    session: SessionDep,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[Employee]:
    """A stored snapshot's employees by NIP, their text exactly as uploaded (trimmed): a name
    may begin with `=` or look like SQL, and here it reads as written. The CSV export of a
    cycle's grades is where such text is escaped for spreadsheets."""
    if await get_roster(session, roster_id) is None:
        raise not_found("roster")
    rows = await list_employees(session, roster_id, limit=limit + 1, offset=offset)
    return page_of(rows, limit, offset)
