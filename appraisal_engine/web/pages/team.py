"""My team: for supervisors and their superiors, the appraisals they stand above, with each
employee's name, stage, open tasks and the steps gone past their deadline."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter, Request
from starlette.responses import Response

from appraisal_engine.api.deps import SessionDep
from appraisal_engine.services import matrix, team
from appraisal_engine.web.render import render
from appraisal_engine.web.routing import PageRoute
from appraisal_engine.web.session import SignedIn

router = APIRouter(route_class=PageRoute)


@router.get("/team", include_in_schema=False)
async def my_team(
    request: Request, me: SignedIn, session: SessionDep, finished: bool = False
) -> Response:
    """The running years I stand above (all years with `finished`), the overdue first."""
    members = await team.team_of(session, me, now=datetime.now(UTC), running_only=not finished)
    members.sort(key=lambda m: -m.overdue)  # stable: by id within the same count
    # The units whose role-result matrix I may read: those I head, or whose head I supervise.
    units = {(m.appraisal.cycle_id, m.appraisal.unit_code) for m in members if m.appraisal.cycle_id}
    led = await matrix.readable_units(session, me, units)
    return render(request, "team.html", members=members, finished=finished, led=led)
