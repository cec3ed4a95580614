"""Appraisals: list and read them, file an appeal, and HR's transfer, extension and cancellation."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

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
    AppealRequest,
    CancelRequest,
    DeadlineRequest,
    Limit,
    Offset,
    Page,
    ReassignRequest,
    page_of,
)
from appraisal_engine.domain.ratings import Grade
from appraisal_engine.domain.records import AppraisalRecord
from appraisal_engine.domain.stages import Stage
from appraisal_engine.services import appraisals
from appraisal_engine.services.appraisals import AppraisalView
from appraisal_engine.workflows.messages import AppealFiled, HrActionDone
from appraisal_engine.workflows.timeline import TimelinePage, page

router = APIRouter(prefix="/v1/appraisals", tags=["appraisals"])


@router.get("", responses=responses(401, 403, 422))
async def list_visible_appraisals(
    principal: CurrentPrincipal,
    session: SessionDep,
    limit: Limit = 50,
    offset: Offset = 0,
    cycle_id: Annotated[str | None, Query(max_length=80)] = None,
    unit: Annotated[str | None, Query(max_length=40)] = None,
    stage: Stage | None = None,
    grade: Annotated[Grade | None, Query(description="the final grade")] = None,
    assignee: Annotated[
        str | None,
        Query(max_length=18, description="HR and auditors only: with an open task for this NIP"),
    ] = None,
) -> Page[AppraisalRecord]:
    """Appraisals by cycle, unit, stage and grade: all for HR and auditors; for anyone else
    their own and those they appraise or stand above."""
    rows = await appraisals.list_visible(
        session,
        principal,
        cycle_id=cycle_id,
        unit_code=unit,
        stage=stage,
        grade=grade,
        assignee=assignee,
        limit=limit + 1,
        offset=offset,
    )
    return page_of(rows, limit, offset)


@router.get("/{appraisal_id}", responses=responses(401, 404, 503))
async def read_appraisal(
    appraisal_id: str,
    principal: CurrentPrincipal,
    session: SessionDep,
    client: TemporalClientDep,
    svc: ServicesDep,
) -> AppraisalView:
    """The live state; peers' identities are shown to HR and auditors only, raw peer answers to
    auditors only."""
    return await appraisals.read_state(
        session, principal, appraisal_id, client=client, sessions=svc.sessions
    )


@router.get("/{appraisal_id}/history", responses=responses(401, 404, 503))
async def read_history(
    appraisal_id: str,
    principal: CurrentPrincipal,
    session: SessionDep,
    client: TemporalClientDep,
    svc: ServicesDep,
    limit: Limit = 50,
    offset: Offset = 0,
) -> TimelinePage:
    """Who did what, when: read from the workflow's own event history (across runs); peers are
    named to HR and auditors only, their answers shown to auditors only."""
    timeline = await appraisals.read_history(
        session, principal, appraisal_id, client=client, sessions=svc.sessions
    )
    return page(timeline, offset, limit)


@router.get(
    "/{appraisal_id}/history/export",
    responses={
        200: {"content": {"application/json": {}}, "description": "Temporal's history JSON"},
        **responses(401, 403, 404, 503),
    },
    response_class=Response,
)
async def export_history(
    appraisal_id: str,
    principal: ReaderPrincipal,
    session: SessionDep,
    client: TemporalClientDep,
) -> Response:
    """The latest run's raw event history as Temporal's JSON, for archiving and for
    `appraisal verify-history` (payloads stay as stored: encrypted when encryption is on). Peers'
    answers are for auditors: HR's copy has each one replaced by a redacted payload, so it reads
    who answered and when but does not replay."""
    body = await appraisals.export_history(session, principal, appraisal_id, client=client)
    return Response(body, media_type="application/json")


@router.post("/{appraisal_id}/appeal", responses=responses(401, 403, 404, 409, 422, 503))
async def file_appeal(
    appraisal_id: str,
    request: AppealRequest,
    principal: CurrentPrincipal,
    session: SessionDep,
    client: TemporalClientDep,
) -> AppealFiled:
    """The employee files a keberatan inside the appeal window."""
    return await appraisals.file_appeal(
        session, principal, appraisal_id, request.reason, client=client
    )


@router.post("/{appraisal_id}/reassign", responses=responses(401, 403, 404, 409, 422, 503))
async def reassign(
    appraisal_id: str,
    request: ReassignRequest,
    principal: HrPrincipal,
    session: SessionDep,
    client: TemporalClientDep,
) -> HrActionDone:
    """HR moves the appraisal to a new supervisor; open supervisor tasks move with it."""
    return await appraisals.reassign(
        session,
        principal,
        appraisal_id,
        supervisor_nip=request.supervisor_nip,
        superior_nip=request.superior_nip,
        reason=request.reason,
        client=client,
    )


@router.post("/{appraisal_id}/deadline", responses=responses(401, 403, 404, 409, 422, 503))
async def extend_deadline(
    appraisal_id: str,
    request: DeadlineRequest,
    principal: HrPrincipal,
    session: SessionDep,
    client: TemporalClientDep,
) -> HrActionDone:
    """HR moves an open task's deadline; reminders and escalation start over."""
    return await appraisals.extend_deadline(
        session,
        principal,
        appraisal_id,
        task_id=request.task_id,
        due_at=request.due_at,
        reason=request.reason,
        client=client,
    )


@router.post("/{appraisal_id}/cancel", responses=responses(401, 403, 404, 409, 422, 503))
async def cancel(
    appraisal_id: str,
    request: CancelRequest,
    principal: HrPrincipal,
    session: SessionDep,
    client: TemporalClientDep,
) -> HrActionDone:
    """HR ends the appraisal (retirement, transfer out); its open tasks close."""
    return await appraisals.cancel(
        session, principal, appraisal_id, reason=request.reason, client=client
    )
