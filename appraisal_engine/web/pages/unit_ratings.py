"""A unit's own rating on the web: the official one level up sees the units they rate (linked
from their inbox) and decides each; HR proposes one from the unit's calibration page."""

from __future__ import annotations

import asyncio
import logging

from fastapi import APIRouter, Depends, Request
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.responses import RedirectResponse, Response
from temporalio.client import Client
from temporalio.service import RPCError

from appraisal_engine.api.deps import TemporalClientDep
from appraisal_engine.api.problems import service_status
from appraisal_engine.api.schemas import UnitRatingRequest
from appraisal_engine.domain.curve import UnitRating
from appraisal_engine.services import unit_ratings
from appraisal_engine.services.errors import NotFound, ServiceError
from appraisal_engine.services.unit_ratings import UnitRatingView
from appraisal_engine.web.forms import field_errors, posted, service_errors
from appraisal_engine.web.render import gettext_for, render
from appraisal_engine.web.routing import PageRoute
from appraisal_engine.web.security import check_form_token
from appraisal_engine.web.session import SignedIn

router = APIRouter(route_class=PageRoute, dependencies=[Depends(check_form_token)])
log = logging.getLogger(__name__)

PAGE = "/unit-ratings"
FIELDS = ("rating", "note")
INBOX_WAIT = 3.0  # seconds the inbox waits for the running cycles before showing without them


def form_key(cycle_id: str, unit_code: str) -> str:
    """One unit's form on the page, and its anchor."""
    return f"{cycle_id}--{unit_code}"


async def open_for(me: SignedIn, session: AsyncSession, client: Client) -> list[UnitRatingView]:
    """The units awaiting the person's rating, for their inbox. The inbox's tasks come from
    the database; these from the running cycles, so Temporal out of reach leaves them out
    rather than the inbox."""
    try:
        awaiting = unit_ratings.awaiting(me, session=session, client=client)
        return await asyncio.wait_for(awaiting, INBOX_WAIT)
    except (RPCError, ServiceError, TimeoutError) as e:
        log.warning("unit ratings left out of an inbox: %s", type(e).__name__)
        return []


async def _page(
    request: Request,
    me: SignedIn,
    client: Client,
    *,
    status_code: int = 200,
    failed: str | None = None,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
) -> Response:
    units = await unit_ratings.to_rate(me, client=client)
    filled: dict[str, dict[str, str]] = {}
    for v in units:
        chosen = v.decided or v.proposed
        filled[form_key(v.cycle_id, v.unit_code)] = {
            "rating": chosen.rating.value if chosen else "",
            "note": v.decided.note or "" if v.decided else "",
        }
    if failed is not None and values is not None:
        filled[failed] = values
    return render(
        request,
        "unit_ratings.html",
        status_code,
        units=units,
        ratings=list(UnitRating),
        values=filled,
        failed=failed,
        errors=errors or {},
        key=form_key,
        flash=request.session.pop("flash", None),
    )


@router.get(PAGE, include_in_schema=False)
async def page(request: Request, me: SignedIn, client: TemporalClientDep) -> Response:
    """The units whose organisation rating the person decides, open ones first."""
    return await _page(request, me, client)


@router.post(PAGE + "/{cycle_id}/{unit_code}", include_in_schema=False)
async def decide(
    request: Request, cycle_id: str, unit_code: str, me: SignedIn, client: TemporalClientDep
) -> Response:
    """The official decides the unit's rating, with a note; a refusal is shown beside the
    unit's form with what was chosen kept."""
    values, data = await posted(request)
    _ = gettext_for(request)
    try:
        chosen = UnitRatingRequest.model_validate(
            {"rating": data.get("rating") or None, "note": data.get("note") or None}
        )
        await unit_ratings.decide(
            me, cycle_id, unit_code, rating=chosen.rating, note=chosen.note, client=client
        )
    except ValidationError as e:
        status, errors = 422, field_errors(e, _, FIELDS)
    except NotFound:
        raise
    except ServiceError as e:
        status, errors = service_status(e), service_errors(e, _, FIELDS)
    else:
        request.session["flash"] = "decided"
        return RedirectResponse(f"{PAGE}#{form_key(cycle_id, unit_code)}", status_code=303)
    return await _page(
        request,
        me,
        client,
        status_code=status,
        failed=form_key(cycle_id, unit_code),
        values=values,
        errors=errors,
    )
