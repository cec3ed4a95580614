"""What follows the grade: development plans and their follow-ups, and ASN teladan nominations."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter, status

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
    DevelopmentPlanRequest,
    FollowUpRequest,
    Limit,
    Offset,
    Page,
    TeladanRequest,
    page_of,
)
from appraisal_engine.domain.development import PlanItem
from appraisal_engine.domain.policy import Policy
from appraisal_engine.domain.records import AppraisalRecord, TeladanNomination
from appraisal_engine.services import cycles, development, teladan
from appraisal_engine.services.appraisal_policy import policy_of
from appraisal_engine.services.development import PlanView
from appraisal_engine.services.teladan import TeladanView

router = APIRouter(tags=["follow-up"])
PLAN = "/v1/appraisals/{appraisal_id}/development-plan"


@router.get(PLAN, responses=responses(401, 404))
async def read_plan(
    appraisal_id: str, principal: CurrentPrincipal, session: SessionDep, svc: ServicesDep
) -> PlanView:
    """The appraisal's development plan, for the employee, the supervisor, HR and auditors;
    with the items whose day has passed unanswered, and whether the follow-up is overdue."""
    return await development.read_plan(
        session, principal, appraisal_id, now=datetime.now(UTC), sessions=svc.sessions
    )


@router.put(PLAN, responses=responses(401, 403, 404, 409, 422, 503))
async def make_plan(
    appraisal_id: str,
    request: DevelopmentPlanRequest,
    principal: CurrentPrincipal,
    session: SessionDep,
    client: TemporalClientDep,
    svc: ServicesDep,
) -> PlanView:
    """The supervisor plans the employee's development after a development, mentorship or
    coaching outcome (or replaces a plan nobody has followed up yet), as the policy allows."""

    async def policy(record: AppraisalRecord) -> Policy:
        return await policy_of(client, record.id)

    return await development.make_plan(
        session,
        svc.sessions,
        principal,
        appraisal_id,
        items=[PlanItem(**i.model_dump()) for i in request.items],
        follow_up_on=request.follow_up_on,
        policy_of=policy,
        now=datetime.now(UTC),
    )


@router.post(f"{PLAN}/follow-ups", responses=responses(401, 403, 404, 409, 422))
async def follow_up(
    appraisal_id: str,
    request: FollowUpRequest,
    principal: CurrentPrincipal,
    session: SessionDep,
    svc: ServicesDep,
) -> PlanView:
    """The supervisor says whether a planned item happened; said after its day, it is marked
    late. Once said, it stands."""
    return await development.follow_up(
        session,
        svc.sessions,
        principal,
        appraisal_id,
        item=request.item,
        done=request.done,
        note=request.note,
        now=datetime.now(UTC),
    )


@router.get("/v1/cycles/{cycle_id}/development-plans", responses=responses(401, 403, 422))
async def cycle_plans(
    cycle_id: str,
    principal: ReaderPrincipal,
    session: SessionDep,
    svc: ServicesDep,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[PlanView]:
    """Every development plan of the cycle, for HR and auditors."""
    views = await development.cycle_plans(
        session,
        principal,
        cycle_id,
        now=datetime.now(UTC),
        limit=limit + 1,
        offset=offset,
        sessions=svc.sessions,
    )
    return page_of(views, limit, offset)


@router.get("/v1/cycles/{cycle_id}/teladan", responses=responses(401, 403, 404, 503))
async def read_teladan(
    cycle_id: str,
    principal: ReaderPrincipal,
    session: SessionDep,
    client: TemporalClientDep,
    svc: ServicesDep,
) -> TeladanView:
    """The cycle's ASN teladan nominations, and how many its policy allows."""
    policy = await cycles.policy_of(client, cycle_id)
    return await teladan.read(
        session, principal, cycle_id, policy=policy.teladan, sessions=svc.sessions
    )


@router.post(
    "/v1/cycles/{cycle_id}/teladan",
    status_code=status.HTTP_201_CREATED,
    responses=responses(401, 403, 404, 409, 422, 503),
)
async def nominate(
    cycle_id: str,
    request: TeladanRequest,
    principal: HrPrincipal,
    session: SessionDep,
    client: TemporalClientDep,
    svc: ServicesDep,
) -> TeladanNomination:
    """HR nominates a Sangat Baik employee as ASN teladan; refused with the reason for any
    other grade, past the policy's cap, or twice."""
    policy = await cycles.policy_of(client, cycle_id)
    return await teladan.nominate(
        session,
        svc.sessions,
        principal,
        cycle_id,
        appraisal_id=request.appraisal_id,
        reason=request.reason,
        policy=policy.teladan,
        now=datetime.now(UTC),
    )
