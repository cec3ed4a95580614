"""Find appraisals, for HR and auditors: by cycle, unit, stage, final grade, and who holds an
open task on them; a paged table linking to each appraisal."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, ValidationError
from starlette.responses import Response

from appraisal_engine.api.deps import SessionDep
from appraisal_engine.api.schemas import Offset
from appraisal_engine.domain.ratings import Grade
from appraisal_engine.domain.records import AppraisalRecord
from appraisal_engine.domain.stages import Stage
from appraisal_engine.services import appraisals
from appraisal_engine.services.access import require_reader
from appraisal_engine.web.forms import field_errors
from appraisal_engine.web.paging import PAGE_SIZE, Paged, filled, paged
from appraisal_engine.web.render import gettext_for, render
from appraisal_engine.web.routing import PageRoute
from appraisal_engine.web.security import check_form_token
from appraisal_engine.web.session import SignedIn

router = APIRouter(route_class=PageRoute, dependencies=[Depends(check_form_token)])

FILTERS = ("cycle_id", "unit", "stage", "grade", "assignee")


class FindFilters(BaseModel):
    """The filters as `services.appraisals.list_visible` takes them."""

    cycle_id: str | None = None
    unit: str | None = None
    stage: Stage | None = None
    grade: Grade | None = None
    assignee: str | None = None


@router.get("/find", include_in_schema=False)
async def find(
    request: Request,
    me: SignedIn,
    session: SessionDep,
    cycle_id: str = "",
    unit: str = "",
    stage: str = "",
    grade: str = "",
    assignee: str = "",
    offset: Offset = 0,
) -> Response:
    """Appraisals matching the filters, a page at a time; HR's and auditors' page."""
    require_reader(me)
    values = filled(cycle_id=cycle_id, unit=unit, stage=stage, grade=grade, assignee=assignee)
    errors: dict[str, str] = {}
    found: Paged[AppraisalRecord] | None = None
    try:
        where = FindFilters.model_validate(values)
    except ValidationError as e:
        errors = field_errors(e, gettext_for(request), FILTERS)
    else:
        rows = await appraisals.list_visible(
            session,
            me,
            cycle_id=where.cycle_id,
            unit_code=where.unit,
            stage=where.stage,
            grade=where.grade,
            assignee=where.assignee,
            limit=PAGE_SIZE + 1,
            offset=offset,
        )
        found = paged("/find", values, rows, offset)
    return render(
        request,
        "find.html",
        422 if errors else 200,
        found=found,
        values=values,
        errors=errors,
        stages=list(Stage),
        grades=list(Grade),
    )
