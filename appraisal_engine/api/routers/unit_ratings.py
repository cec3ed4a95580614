"""A unit's organisation rating, which picks its curve: HR proposes it, the official one level
up decides it, and calibration uses the decision."""

from __future__ import annotations

from fastapi import APIRouter

from appraisal_engine.api.deps import CurrentPrincipal, HrPrincipal, TemporalClientDep
from appraisal_engine.api.openapi import responses
from appraisal_engine.api.schemas import Page, UnitRatingRequest
from appraisal_engine.services import unit_ratings
from appraisal_engine.services.unit_ratings import UnitRatingView

router = APIRouter(prefix="/v1", tags=["unit ratings"])
UNIT = "/cycles/{cycle_id}/units/{unit_code}/rating"


@router.get("/unit-ratings", responses=responses(401, 503))
async def to_rate(principal: CurrentPrincipal, client: TemporalClientDep) -> Page[UnitRatingView]:
    """The units whose rating the caller decides in the running cycles, open ones first (from
    Temporal's visibility store, so a cycle launched a moment ago may take a second to
    appear)."""
    items = await unit_ratings.to_rate(principal, client=client)
    return Page(items=items, limit=len(items), offset=0, next_offset=None)


@router.get("/cycles/{cycle_id}/unit-ratings", responses=responses(401, 404, 503))
async def of_cycle(
    cycle_id: str, principal: CurrentPrincipal, client: TemporalClientDep
) -> list[UnitRatingView]:
    """Every unit's rating for HR and auditors; the units they rate for an official; 404 for
    anyone else."""
    return await unit_ratings.of_cycle(principal, cycle_id, client=client)


@router.post(UNIT + "/proposal", responses=responses(401, 403, 404, 409, 422, 503))
async def propose(
    cycle_id: str,
    unit_code: str,
    request: UnitRatingRequest,
    principal: HrPrincipal,
    client: TemporalClientDep,
) -> UnitRatingView:
    """HR prepares the unit's rating, with a note, for its official to decide; 409 once grades
    were released against the unit's rating, or in a cycle launched before units were rated by
    their official."""
    return await unit_ratings.propose(
        principal, cycle_id, unit_code, rating=request.rating, note=request.note, client=client
    )


@router.post(UNIT + "/decision", responses=responses(401, 403, 404, 409, 422, 503))
async def decide(
    cycle_id: str,
    unit_code: str,
    request: UnitRatingRequest,
    principal: CurrentPrincipal,
    client: TemporalClientDep,
) -> UnitRatingView:
    """The unit's official (the regional head for a head at the top of the roster, else the
    unit head's own supervisor) decides its rating, recorded with who and when; deciding again
    replaces it until grades are released against it (then 409). HR gets 403, anyone else
    404."""
    return await unit_ratings.decide(
        principal, cycle_id, unit_code, rating=request.rating, note=request.note, client=client
    )
