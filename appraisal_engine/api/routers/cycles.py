"""HR's year: launch a cycle from a stored roster, watch it, calibrate units, community scores,
and export its grades for a spreadsheet."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response, status
from fastapi.responses import StreamingResponse

from appraisal_engine.api.deps import (
    CurrentPrincipal,
    HrPrincipal,
    ReaderPrincipal,
    ServicesDep,
    SessionDep,
    TemporalClientDep,
)
from appraisal_engine.api.openapi import responses
from appraisal_engine.api.schemas import (
    CalibrationRequest,
    CommunityFeedbackRequest,
    LaunchCycleRequest,
    Limit,
    Page,
)
from appraisal_engine.services import cycles, grades_csv, matrix
from appraisal_engine.services.cycles import CycleListItem, CycleRef, CycleView
from appraisal_engine.services.matrix import UnitMatrix
from appraisal_engine.workflows.cycle_messages import CalibrationResult, CycleStatus

router = APIRouter(prefix="/v1/cycles", tags=["cycles"])


@router.post(
    "",
    status_code=status.HTTP_202_ACCEPTED,
    responses=responses(401, 403, 404, 422, 503),
)
async def launch(
    request: LaunchCycleRequest,
    principal: HrPrincipal,
    session: SessionDep,
    client: TemporalClientDep,
    svc: ServicesDep,
) -> CycleRef:
    """Launch the year for the roster's organisation; launching again returns the same cycle
    while it runs or once it has completed, and starts it anew after a failure. A policy that
    cannot run (e.g. one naming no regional head or appeals officer) is refused with 422 before
    anything starts."""
    return await cycles.launch(
        session,
        principal,
        year=request.year,
        roster_id=request.roster_id,
        policy=request.policy,
        year_start=request.year_start,
        regional_head_nip=request.regional_head_nip,
        appeals_officer_nip=request.appeals_officer_nip,
        client=client,
        task_queue=svc.config.task_queue,
    )


@router.get("", responses=responses(401, 403, 503))
async def list_cycles(
    principal: ReaderPrincipal, client: TemporalClientDep, limit: Limit = 50
) -> Page[CycleListItem]:
    """The cycles Temporal knows, newest first (from its visibility store, so a cycle launched
    a moment ago may take a second to appear)."""
    items = await cycles.list_cycles(principal, client=client, limit=limit)
    return Page(items=items, limit=limit, offset=0, next_offset=None)


@router.get("/{cycle_id}", responses=responses(401, 403, 404, 503))
async def read_cycle(
    cycle_id: str, principal: ReaderPrincipal, client: TemporalClientDep
) -> CycleView:
    """Counts per unit and stage, calibration state, the closing summary once closed, and the
    state of the latest run: `failed` with the failure's type and message when it failed."""
    return await cycles.read(principal, cycle_id, client=client)


@router.get("/{cycle_id}/units/{unit_code}/matrix", responses=responses(401, 404))
async def read_unit_matrix(
    cycle_id: str, unit_code: str, principal: CurrentPrincipal, session: SessionDep
) -> UnitMatrix:
    """The unit's role-result matrix (matriks peran hasil): each approved target under the
    supervisor's target it contributes to (direct or indirect), the unit's head's targets as
    roots. For HR, auditors, the unit's head and the head's supervisor; 404 for anyone else."""
    return await matrix.read_unit(session, principal, cycle_id, unit_code)


_CSV_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "UTF-8 (with a byte order mark) CSV: a header row, then one row per "
        "appraisal of the cycle",
        "content": {
            grades_csv.MEDIA_TYPE: {
                "schema": {"type": "string"},
                "example": grades_csv.csv_text([grades_csv.HEADER]),
            }
        },
        "headers": {
            "Content-Disposition": {
                "description": 'attachment; filename="<cycle_id>-grades.csv"',
                "schema": {"type": "string"},
            }
        },
    }
}


@router.get(
    "/{cycle_id}/grades.csv",
    response_class=Response,
    responses={**_CSV_RESPONSE, **responses(401, 403, 404, 503)},
)
async def export_grades(
    cycle_id: str,
    principal: ReaderPrincipal,
    session: SessionDep,
    client: TemporalClientDep,
    svc: ServicesDep,
) -> StreamingResponse:
    """The cycle's grades as a spreadsheet: NIP, name, unit, position (from the cycle's roster
    snapshot), stage, computed and final grade, whether calibration adjusted it, and the
    outcome, one row per appraisal in NIP order. UTF-8 CSV; cells a spreadsheet would run as a
    formula (beginning with `=`, `+`, `-`, `@`, tab, ...) are prefixed with an apostrophe."""
    chunks = await cycles.export_grades(
        session, principal, cycle_id, client=client, sessions=svc.sessions
    )
    return StreamingResponse(
        chunks,
        media_type=grades_csv.MEDIA_TYPE,
        headers={"Content-Disposition": grades_csv.attachment(cycle_id)},
    )


@router.post("/{cycle_id}/calibration", responses=responses(401, 403, 404, 409, 422, 503))
async def calibrate(
    cycle_id: str,
    request: CalibrationRequest,
    principal: HrPrincipal,
    client: TemporalClientDep,
) -> CalibrationResult:
    """Calibrate a unit against the rating its official decided, with any adjustments;
    released when the grades fit the curve, otherwise 409 listing each violation (grade,
    allowed share, actual share). 409 naming the unit while its rating is not decided; 422
    for a `unit_rating` other than the decided one (a cycle launched before units were rated
    by their official takes the rating given here instead)."""
    return await cycles.calibrate(
        principal,
        cycle_id,
        unit_code=request.unit_code,
        unit_rating=request.unit_rating,
        adjustments=request.adjustments,
        client=client,
    )


@router.post("/{cycle_id}/community-feedback", responses=responses(401, 403, 404, 409, 422, 503))
async def community_feedback(
    cycle_id: str,
    request: CommunityFeedbackRequest,
    principal: HrPrincipal,
    client: TemporalClientDep,
) -> CycleStatus:
    """Per-unit citizen-satisfaction scores for policies that use them."""
    return await cycles.community_feedback(
        principal, cycle_id, scores=request.scores, client=client
    )
