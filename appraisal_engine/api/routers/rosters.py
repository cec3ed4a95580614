"""Roster snapshots: HR uploads the city's roster; nothing is stored unless all of it is valid."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, UploadFile, status

from appraisal_engine.api.deps import HrPrincipal, ReaderPrincipal, SessionDep
from appraisal_engine.api.openapi import responses
from appraisal_engine.api.schemas import Limit, Offset, Page, page_of
from appraisal_engine.domain.employee import Employee
from appraisal_engine.services import rosters
from appraisal_engine.store.repositories.rosters import RosterSummary

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
    is_json = rosters.is_json(file.content_type, file.filename)
    return await rosters.upload(session, principal, org, data, is_json=is_json)


@router.get("/{roster_id}", responses=responses(401, 403, 404))
async def read_roster(
    roster_id: str, principal: ReaderPrincipal, session: SessionDep
) -> RosterSummary:
    """A stored roster snapshot's summary."""
    return await rosters.read(session, principal, roster_id)


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
    rows = await rosters.employees(session, principal, roster_id, limit=limit + 1, offset=offset)
    return page_of(rows, limit, offset)
