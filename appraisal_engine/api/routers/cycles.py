"""HR's year: launch a cycle from a stored roster, watch it, calibrate units, community scores,
and export its grades for a spreadsheet."""

from __future__ import annotations

import re
from typing import Any

from fastapi import APIRouter, Response, status
from fastapi.responses import StreamingResponse
from temporalio.client import Client, WorkflowExecutionStatus, WorkflowHandle

from appraisal_engine.api import grades_csv
from appraisal_engine.api.access import log_auditor_read
from appraisal_engine.api.deps import (
    HrPrincipal,
    ReaderPrincipal,
    ServicesDep,
    SessionDep,
    TemporalClientDep,
)
from appraisal_engine.api.openapi import responses
from appraisal_engine.api.problems import FieldError, ProblemError, not_found
from appraisal_engine.api.schemas import (
    CalibrationRequest,
    CommunityFeedbackRequest,
    CycleListItem,
    CycleRef,
    CycleView,
    LaunchCycleRequest,
    Limit,
    Page,
)
from appraisal_engine.api.temporal_errors import workflow_call
from appraisal_engine.client.cycle_runs import outcome_of
from appraisal_engine.client.starters import launch_cycle
from appraisal_engine.domain.appeals import APPEALS_OFFICER_FIELD
from appraisal_engine.domain.errors import DomainError
from appraisal_engine.domain.launch import REGIONAL_HEAD, LaunchRefused, launch_roster, with_named
from appraisal_engine.domain.policy import Policy
from appraisal_engine.domain.presets import preset
from appraisal_engine.store.repositories.exports import grade_lines
from appraisal_engine.store.repositories.rosters import get_roster, list_employees
from appraisal_engine.workflows.cycle import CycleWorkflow
from appraisal_engine.workflows.cycle_messages import (
    CalibrateInput,
    CalibrationResult,
    CommunityFeedbackInput,
    CycleInput,
    CycleStatus,
    CycleSummary,
)
from appraisal_engine.workflows.ids import CYCLE_WORKFLOW_PREFIX, workflow_id_of_cycle

router = APIRouter(prefix="/v1/cycles", tags=["cycles"])


def handle_of(client: Client, cycle_id: str) -> WorkflowHandle[CycleWorkflow, CycleSummary]:
    """The cycle's workflow (the latest run, across continue-as-new)."""
    return client.get_workflow_handle_for(CycleWorkflow.run, workflow_id_of_cycle(cycle_id))


def _policy(request: LaunchCycleRequest) -> Policy:
    chosen = request.policy
    try:
        policy = chosen if isinstance(chosen, Policy) else preset(chosen)
    except DomainError as e:
        raise ProblemError(
            422, str(e), errors=[FieldError(field="body.policy", message=str(e))]
        ) from None
    return with_named(
        policy,
        regional_head_nip=request.regional_head_nip,
        appeals_officer_nip=request.appeals_officer_nip,
    )


async def _check_launch(session: SessionDep, roster_id: str, policy: Policy) -> None:
    """422 naming the field to set when the cycle could not run, before anything starts."""
    try:
        launch_roster(await list_employees(session, roster_id), policy)
    except LaunchRefused as e:
        # The request carries the roster, the regional head and the officer beside the policy.
        beside = (REGIONAL_HEAD, APPEALS_OFFICER_FIELD, "roster_id")
        field = e.field if e.field in beside else f"policy.{e.field}"
        raise ProblemError(
            422, str(e), code=e.kind, errors=[FieldError(field=f"body.{field}", message=e.reason)]
        ) from None


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
    roster = await get_roster(session, request.roster_id)
    if roster is None:
        raise not_found("roster")
    policy = _policy(request)
    await _check_launch(session, roster.id, policy)
    async with workflow_call("cycle"):
        handle = await launch_cycle(
            client,
            org=roster.org,
            year=request.year,
            roster_id=roster.id,
            policy=policy,
            task_queue=svc.config.task_queue,
            year_start=request.year_start,
        )
    return CycleRef(
        cycle_id=handle.id.removeprefix(CYCLE_WORKFLOW_PREFIX),
        workflow_id=handle.id,
        roster_id=roster.id,
    )


@router.get("", responses=responses(401, 403, 503))
async def list_cycles(
    principal: ReaderPrincipal, client: TemporalClientDep, limit: Limit = 50
) -> Page[CycleListItem]:
    """The cycles Temporal knows, newest first (from its visibility store, so a cycle launched
    a moment ago may take a second to appear)."""
    items: list[CycleListItem] = []
    async with workflow_call("cycle"):
        async for wf in client.list_workflows("WorkflowType = 'CycleWorkflow'", limit=limit):
            outcome = await outcome_of(client, wf)
            items.append(
                CycleListItem(
                    cycle_id=wf.id.removeprefix(CYCLE_WORKFLOW_PREFIX),
                    workflow_id=wf.id,
                    status=(wf.status or WorkflowExecutionStatus.RUNNING).name,
                    started_at=wf.start_time,
                    closed_at=wf.close_time,
                    state=outcome.state,
                    failure=outcome.failure,
                )
            )
    return Page(items=items, limit=limit, offset=0, next_offset=None)


@router.get("/{cycle_id}", responses=responses(401, 403, 404, 503))
async def read_cycle(
    cycle_id: str, principal: ReaderPrincipal, client: TemporalClientDep
) -> CycleView:
    """Counts per unit and stage, calibration state, the closing summary once closed, and the
    state of the latest run: `failed` with the failure's type and message when it failed."""
    handle = handle_of(client, cycle_id)
    async with workflow_call("cycle"):
        current: CycleStatus = await handle.query(CycleWorkflow.status)
        desc = await handle.describe()
        summary = (
            await handle.result() if desc.status == WorkflowExecutionStatus.COMPLETED else None
        )
        outcome = await outcome_of(client, desc)
    return CycleView(status=current, summary=summary, state=outcome.state, failure=outcome.failure)


async def roster_of(client: Client, cycle_id: str) -> str:
    """The roster snapshot the cycle was launched from: its input, as the first event of its
    latest run holds it (a run continued as new carries the same input)."""
    async with workflow_call("cycle"):
        async for event in handle_of(client, cycle_id).fetch_history_events(page_size=1):
            payloads = event.workflow_execution_started_event_attributes.input.payloads
            (inp,) = await client.data_converter.decode(payloads, [CycleInput])
            assert isinstance(inp, CycleInput)
            return inp.roster_id
    raise not_found("cycle")


# Real cycle ids hold none of these; any other id must not break out of the header's quotes.
_FILENAME_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")
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
    roster_id = await roster_of(client, cycle_id)
    first = await grade_lines(session, cycle_id, roster_id, limit=grades_csv.PAGE_ROWS)
    await log_auditor_read(svc.sessions, principal, "grades.csv", cycle_id=cycle_id)
    filename = _FILENAME_UNSAFE.sub("_", cycle_id) + "-grades.csv"
    return StreamingResponse(
        grades_csv.csv_chunks(svc.sessions, cycle_id, roster_id, first=first),
        media_type=grades_csv.MEDIA_TYPE,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@router.post("/{cycle_id}/calibration", responses=responses(401, 403, 404, 409, 422, 503))
async def calibrate(
    cycle_id: str,
    request: CalibrationRequest,
    principal: HrPrincipal,
    client: TemporalClientDep,
) -> CalibrationResult:
    """Set a unit's rating and adjustments; released when the grades fit the curve, otherwise
    409 listing each violation (grade, allowed share, actual share)."""
    inp = CalibrateInput(actor_nip=principal.nip, **request.model_dump())
    async with workflow_call("cycle"):
        result = await handle_of(client, cycle_id).execute_update(CycleWorkflow.calibrate, inp)
    if result.violations:
        raise ProblemError(
            409,
            f"{len(result.violations)} curve violation(s) in {result.unit_code}; adjust and retry",
            code="CurveViolation",
            violations=[v.model_dump(mode="json") for v in result.violations],
        )
    return result


@router.post("/{cycle_id}/community-feedback", responses=responses(401, 403, 404, 409, 422, 503))
async def community_feedback(
    cycle_id: str,
    request: CommunityFeedbackRequest,
    principal: HrPrincipal,
    client: TemporalClientDep,
) -> CycleStatus:
    """Per-unit citizen-satisfaction scores for policies that use them."""
    inp = CommunityFeedbackInput(actor_nip=principal.nip, scores=request.scores)
    async with workflow_call("cycle"):
        return await handle_of(client, cycle_id).execute_update(
            CycleWorkflow.community_feedback, inp
        )
