"""Appraisals: the caller's list, one's live state and history, the employee's appeal, and HR's
transfer, extension and cancellation."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio.client import Client, WorkflowHandle
from temporalio.workflow import UpdateMethodMultiParam

from appraisal_engine.client.histories import export_history_json, fetch_runs
from appraisal_engine.domain.model import Value
from appraisal_engine.domain.peer import PeerFeedback
from appraisal_engine.domain.ratings import Grade
from appraisal_engine.domain.records import AppraisalRecord
from appraisal_engine.domain.stages import Stage
from appraisal_engine.services.access import (
    Caller,
    log_auditor_read,
    redact_state,
    require_hr,
    require_reader,
    sees_peer_answers,
    sees_peer_identities,
    viewer,
)
from appraisal_engine.services.errors import Forbidden, NotFound
from appraisal_engine.services.workflow_calls import workflow_call
from appraisal_engine.store.repositories.appraisals import (
    Audience,
    get_appraisal,
    list_appraisals,
)
from appraisal_engine.workflows.appraisal.workflow import AppraisalWorkflow
from appraisal_engine.workflows.messages import (
    AppealFiled,
    AppraisalResult,
    AppraisalState,
    CancelInput,
    ExtendDeadlineInput,
    FileAppealInput,
    HrActionDone,
    ReassignInput,
)
from appraisal_engine.workflows.timeline import Timeline, build_timeline

Handle = WorkflowHandle[AppraisalWorkflow, AppraisalResult]
HrUpdate = UpdateMethodMultiParam[[AppraisalWorkflow, Any], HrActionDone]


class AppraisalView(BaseModel):
    """An appraisal's live state, and for auditors the raw peer answers by peer."""

    appraisal: AppraisalState
    peer_answers: dict[str, PeerFeedback] | None = Field(default=None, description="auditors only")


def handle_of(client: Client, appraisal_id: str) -> Handle:
    """The appraisal's workflow."""
    return client.get_workflow_handle_for(AppraisalWorkflow.run, appraisal_id)


async def visible(
    session: AsyncSession,
    who: Caller,
    appraisal_id: str,
    audience: Audience = Audience.CHAIN,
) -> AppraisalRecord:
    """The appraisal's row if the caller may see it; NotFound alike for missing and not theirs."""
    record = await get_appraisal(session, appraisal_id, visible_to=viewer(who), audience=audience)
    if record is None:
        raise NotFound("appraisal")
    return record


async def list_visible(
    session: AsyncSession,
    who: Caller,
    *,
    cycle_id: str | None = None,
    unit_code: str | None = None,
    stage: Stage | None = None,
    grade: Grade | None = None,
    assignee: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> list[AppraisalRecord]:
    """Appraisals by cycle, unit, stage and grade: all for HR and auditors; for anyone else
    their own and those they appraise or stand above. Only HR and auditors may ask for those
    where `assignee` has an open task."""
    if assignee is not None and not who.reads_all:
        # Who holds open tasks on an appraisal names its peers: HR's and auditors' to know.
        raise Forbidden("only HR and auditors may filter appraisals by assignee")
    return await list_appraisals(
        session,
        cycle_id=cycle_id,
        unit_code=unit_code,
        stage=stage.value if stage else None,
        grade=grade,
        open_task_for=assignee,
        visible_to=viewer(who),
        limit=limit,
        offset=offset,
    )


async def list_own(
    session: AsyncSession, who: Caller, *, limit: int = 50, offset: int = 0
) -> list[AppraisalRecord]:
    """The caller's own appraisals, every year's, by id."""
    return await list_appraisals(session, employee_nip=who.nip, limit=limit, offset=offset)


async def read_state(
    session: AsyncSession,
    who: Caller,
    appraisal_id: str,
    *,
    client: Client,
    sessions: async_sessionmaker[AsyncSession],
) -> AppraisalView:
    """The live state; peers' identities for HR and auditors only, raw answers for auditors."""
    await visible(session, who, appraisal_id)
    handle = handle_of(client, appraisal_id)
    async with workflow_call():
        state = await handle.query(AppraisalWorkflow.state)
        answers = (
            (await handle.query(AppraisalWorkflow.peer_answers)).answers
            if sees_peer_answers(who)
            else None
        )
    await log_auditor_read(sessions, who, "state", appraisal_id=appraisal_id)
    return AppraisalView(appraisal=redact_state(who, state), peer_answers=answers)


async def read_history(
    session: AsyncSession,
    who: Caller,
    appraisal_id: str,
    *,
    client: Client,
    sessions: async_sessionmaker[AsyncSession],
) -> Timeline:
    """Who did what, when, for the employee, HR and auditors: from the workflow's own event
    history (across runs); peers named to HR and auditors, their answers shown to auditors."""
    await visible(session, who, appraisal_id, Audience.EMPLOYEE)
    async with workflow_call():
        runs = await fetch_runs(client, appraisal_id)
    timeline = await build_timeline(
        *runs,
        workflow_id=appraisal_id,
        reveal_peers=sees_peer_identities(who),
        reveal_answers=sees_peer_answers(who),
        data_converter=client.data_converter,
    )
    await log_auditor_read(sessions, who, "history", appraisal_id=appraisal_id)
    return timeline


async def export_history(
    session: AsyncSession, who: Caller, appraisal_id: str, *, client: Client
) -> str:
    """For HR and auditors, the latest run's raw event history as Temporal's JSON; HR's copy
    has each peer's answers replaced by a redacted payload."""
    require_reader(who)
    await visible(session, who, appraisal_id)
    async with workflow_call():
        return await export_history_json(
            client, appraisal_id, reveal_answers=sees_peer_answers(who)
        )


async def file_appeal(
    session: AsyncSession, who: Caller, appraisal_id: str, reason: str, *, client: Client
) -> AppealFiled:
    """The employee files a keberatan inside the appeal window."""
    record = await visible(session, who, appraisal_id)
    if record.employee_nip != who.nip:
        raise Forbidden("only the appraised employee may appeal")
    async with workflow_call():
        return await handle_of(client, appraisal_id).execute_update(
            AppraisalWorkflow.file_appeal, FileAppealInput(actor_nip=who.nip, reason=reason)
        )


async def _hr_action(
    session: AsyncSession,
    who: Caller,
    appraisal_id: str,
    update: HrUpdate,
    inp: Value,
    client: Client,
) -> HrActionDone:
    """One of HR's updates on an appraisal, its rejections turned into service errors."""
    require_hr(who)
    await visible(session, who, appraisal_id)
    async with workflow_call():
        return await handle_of(client, appraisal_id).execute_update(update, inp)


async def reassign(
    session: AsyncSession,
    who: Caller,
    appraisal_id: str,
    *,
    supervisor_nip: str,
    superior_nip: str | None,
    reason: str,
    client: Client,
) -> HrActionDone:
    """HR moves the appraisal to a new supervisor; open supervisor tasks move with it."""
    inp = ReassignInput(
        actor_nip=who.nip, supervisor_nip=supervisor_nip, superior_nip=superior_nip, reason=reason
    )
    return await _hr_action(session, who, appraisal_id, AppraisalWorkflow.reassign, inp, client)


async def extend_deadline(
    session: AsyncSession,
    who: Caller,
    appraisal_id: str,
    *,
    task_id: str,
    due_at: datetime,
    reason: str,
    client: Client,
) -> HrActionDone:
    """HR moves an open task's deadline; reminders and escalation start over."""
    inp = ExtendDeadlineInput(actor_nip=who.nip, task_id=task_id, due_at=due_at, reason=reason)
    update = AppraisalWorkflow.extend_deadline
    return await _hr_action(session, who, appraisal_id, update, inp, client)


async def cancel(
    session: AsyncSession, who: Caller, appraisal_id: str, *, reason: str, client: Client
) -> HrActionDone:
    """HR ends the appraisal (retirement, transfer out); its open tasks close."""
    inp = CancelInput(actor_nip=who.nip, reason=reason)
    return await _hr_action(session, who, appraisal_id, AppraisalWorkflow.cancel, inp, client)
