"""A unit's role-result matrix (matriks peran hasil) as a tree: for HR, auditors, the unit's
head and the head's supervisor; anyone else finds no such page."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from appraisal_engine.api.deps import SessionDep
from appraisal_engine.services import matrix
from appraisal_engine.web.render import render
from appraisal_engine.web.routing import PageRoute
from appraisal_engine.web.session import SignedIn

router = APIRouter(route_class=PageRoute)
PATH = "/matrix/{cycle_id}/{unit_code}"


@router.get(PATH, include_in_schema=False)
async def unit_matrix(
    request: Request, cycle_id: str, unit_code: str, me: SignedIn, session: SessionDep
) -> Response:
    """Each approved target under the supervisor's target it contributes to."""
    found = await matrix.read_unit(session, me, cycle_id, unit_code)
    return render(request, "matrix.html", matrix=found)
