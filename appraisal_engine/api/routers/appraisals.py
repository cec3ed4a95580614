"""Appraisals: list and read them, file an appeal, and HR's transfer, extension and cancellation."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Response
from sqlalchemy.ext.asyncio import AsyncSession
from temporalio.client import Client, WorkflowHandle
from temporalio.workflow import UpdateMethodMultiParam

from appraisal_engine.api.access import (
    log_auditor_read,
    redact_state,
    sees_appraisal,
    sees_history,
    sees_peer_answers,
    sees_peer_identities,
)
from appraisal_engine.api.auth import Principal
from appraisal_engine.api.deps import (
    CurrentPrincipal,
    HrPrincipal,
    ReaderPrincipal,
    ServicesDep,
    SessionDep,
    TemporalClientDep,
)
from appraisal_engine.api.histories import export_history_json, fetch_runs
from appraisal_engine.api.openapi import responses
from appraisal_engine.api.problems import ProblemError, not_found
from appraisal_engine.api.schemas import (
    AppealRequest,
    AppraisalView,
    CancelRequest,
    DeadlineRequest,
    Limit,
    Offset,
    Page,
    ReassignRequest,
    page_of,
)
from appraisal_engine.api.temporal_errors import workflow_call
from appraisal_engine.domain.model import Value
from appraisal_engine.domain.ratings import Grade
from appraisal_engine.domain.records import AppraisalRecord
from appraisal_engine.domain.stages import Stage
from appraisal_engine.store.repositories.appraisals import get_appraisal, list_appraisals
from appraisal_engine.workflows.appraisal.workflow import AppraisalWorkflow
from appraisal_engine.workflows.messages import (
    AppealFiled,
    AppraisalResult,
    CancelInput,
    ExtendDeadlineInput,
    FileAppealInput,
    HrActionDone,
    ReassignInput,
)
from appraisal_engine.workflows.timeline import TimelinePage, build_timeline, page

router = APIRouter(prefix="/v1/appraisals", tags=["appraisals"])
Handle = WorkflowHandle[AppraisalWorkflow, AppraisalResult]


async def visible(
    session: AsyncSession, principal: Principal, appraisal_id: str
) -> AppraisalRecord:
    """The appraisal's row if the caller may see it; 404 alike for missing and not theirs."""
    record = await get_appraisal(session, appraisal_id)
    if record is None or not sees_appraisal(principal, record):
        raise not_found("appraisal")
    return record


def handle_of(client: Client, appraisal_id: str) -> Handle:
    """The appraisal's workflow."""
    return client.get_workflow_handle_for(AppraisalWorkflow.run, appraisal_id)


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
    if assignee is not None and not principal.reads_all:
        # Who holds open tasks on an appraisal names its peers: HR's and auditors' to know.
        raise ProblemError(403, "only HR and auditors may filter appraisals by assignee")
    rows = await list_appraisals(
        session,
        cycle_id=cycle_id,
        unit_code=unit,
        stage=stage.value if stage else None,
        grade=grade,
        open_task_for=assignee,
        visible_to=None if principal.reads_all else principal.nip,
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
    await visible(session, principal, appraisal_id)
    handle = handle_of(client, appraisal_id)
    async with workflow_call():
        state = await handle.query(AppraisalWorkflow.state)
        answers = (
            (await handle.query(AppraisalWorkflow.peer_answers)).answers
            if sees_peer_answers(principal)
            else None
        )
    await log_auditor_read(svc.sessions, principal, "state", appraisal_id=appraisal_id)
    return AppraisalView(appraisal=redact_state(principal, state), peer_answers=answers)


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
    record = await visible(session, principal, appraisal_id)
    if not sees_history(principal, record):
        raise not_found("appraisal")
    async with workflow_call():
        runs = await fetch_runs(client, appraisal_id)
    timeline = await build_timeline(
        *runs,
        workflow_id=appraisal_id,
        reveal_peers=sees_peer_identities(principal),
        reveal_answers=sees_peer_answers(principal),
        data_converter=client.data_converter,
    )
    await log_auditor_read(svc.sessions, principal, "history", appraisal_id=appraisal_id)
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
    await visible(session, principal, appraisal_id)
    async with workflow_call():
        body = await export_history_json(
            client, appraisal_id, reveal_answers=sees_peer_answers(principal)
        )
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
    record = await visible(session, principal, appraisal_id)
    if record.employee_nip != principal.nip:
        raise ProblemError(403, "only the appraised employee may appeal")
    async with workflow_call():
        return await handle_of(client, appraisal_id).execute_update(
            AppraisalWorkflow.file_appeal,
            FileAppealInput(actor_nip=principal.nip, reason=request.reason),
        )


HrUpdate = UpdateMethodMultiParam[[AppraisalWorkflow, Any], HrActionDone]


async def hr_action(
    session: AsyncSession,
    client: Client,
    principal: Principal,
    appraisal_id: str,
    update: HrUpdate,
    inp: Value,
) -> HrActionDone:
    """One of HR's updates on an appraisal HR may see, its rejections mapped to problems."""
    await visible(session, principal, appraisal_id)
    async with workflow_call():
        return await handle_of(client, appraisal_id).execute_update(update, inp)


@router.post("/{appraisal_id}/reassign", responses=responses(401, 403, 404, 409, 422, 503))
async def reassign(
    appraisal_id: str,
    request: ReassignRequest,
    principal: HrPrincipal,
    session: SessionDep,
    client: TemporalClientDep,
) -> HrActionDone:
    """HR moves the appraisal to a new supervisor; open supervisor tasks move with it."""
    inp = ReassignInput(actor_nip=principal.nip, **request.model_dump())
    return await hr_action(
        session, client, principal, appraisal_id, AppraisalWorkflow.reassign, inp
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
    inp = ExtendDeadlineInput(actor_nip=principal.nip, **request.model_dump())
    update = AppraisalWorkflow.extend_deadline
    return await hr_action(session, client, principal, appraisal_id, update, inp)


@router.post("/{appraisal_id}/cancel", responses=responses(401, 403, 404, 409, 422, 503))
async def cancel(
    appraisal_id: str,
    request: CancelRequest,
    principal: HrPrincipal,
    session: SessionDep,
    client: TemporalClientDep,
) -> HrActionDone:
    """HR ends the appraisal (retirement, transfer out); its open tasks close."""
    inp = CancelInput(actor_nip=principal.nip, **request.model_dump())
    update = AppraisalWorkflow.cancel
    return await hr_action(session, client, principal, appraisal_id, update, inp)
