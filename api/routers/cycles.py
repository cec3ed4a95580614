"""HR's year: launch a cycle from a stored roster, watch it, calibrate units, community scores."""

from __future__ import annotations

from fastapi import APIRouter, status
from temporalio.client import Client, WorkflowExecutionStatus, WorkflowHandle

from api.deps import HrPrincipal, ReaderPrincipal, ServicesDep, SessionDep, TemporalClientDep
from api.openapi import responses
from api.problems import FieldError, ProblemError, not_found
from api.schemas import (
    CalibrationRequest,
    CommunityFeedbackRequest,
    CycleListItem,
    CycleRef,
    CycleView,
    LaunchCycleRequest,
    Limit,
    Page,
)
from api.temporal_errors import workflow_call
from domain.errors import DomainError
from domain.policy import Policy
from domain.presets import preset
from store.repositories.rosters import get_roster
from workflows.cycle import CycleWorkflow
from workflows.cycle_messages import (
    CalibrateInput,
    CalibrationResult,
    CommunityFeedbackInput,
    CycleStatus,
    CycleSummary,
)
from workflows.starters import launch_cycle

router = APIRouter(prefix="/v1/cycles", tags=["cycles"])
PREFIX = "cycle-"


def handle_of(client: Client, cycle_id: str) -> WorkflowHandle[CycleWorkflow, CycleSummary]:
    """The cycle's workflow (the latest run, across continue-as-new)."""
    return client.get_workflow_handle_for(CycleWorkflow.run, PREFIX + cycle_id)


def _policy(chosen: str | Policy, regional_head_nip: str | None) -> Policy:
    try:
        policy = chosen if isinstance(chosen, Policy) else preset(chosen)
    except DomainError as e:
        raise ProblemError(
            422, str(e), errors=[FieldError(field="body.policy", message=str(e))]
        ) from None
    if regional_head_nip is None:
        return policy
    return policy.model_copy(update={"regional_head_nip": regional_head_nip})


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
    """Launch the year for the roster's organisation; launching again returns the same cycle."""
    roster = await get_roster(session, request.roster_id)
    if roster is None:
        raise not_found("roster")
    async with workflow_call("cycle"):
        handle = await launch_cycle(
            client,
            org=roster.org,
            year=request.year,
            roster_id=roster.id,
            policy=_policy(request.policy, request.regional_head_nip),
            task_queue=svc.config.task_queue,
            year_start=request.year_start,
        )
    return CycleRef(
        cycle_id=handle.id.removeprefix(PREFIX), workflow_id=handle.id, roster_id=roster.id
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
            items.append(
                CycleListItem(
                    cycle_id=wf.id.removeprefix(PREFIX),
                    workflow_id=wf.id,
                    status=(wf.status or WorkflowExecutionStatus.RUNNING).name,
                    started_at=wf.start_time,
                    closed_at=wf.close_time,
                )
            )
    return Page(items=items, limit=limit, offset=0, next_offset=None)


@router.get("/{cycle_id}", responses=responses(401, 403, 404, 503))
async def read_cycle(
    cycle_id: str, principal: ReaderPrincipal, client: TemporalClientDep
) -> CycleView:
    """Counts per unit and stage, calibration state, and the closing summary once closed."""
    handle = handle_of(client, cycle_id)
    async with workflow_call("cycle"):
        current: CycleStatus = await handle.query(CycleWorkflow.status)
        desc = await handle.describe()
        summary = (
            await handle.result() if desc.status == WorkflowExecutionStatus.COMPLETED else None
        )
    return CycleView(status=current, summary=summary)


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
