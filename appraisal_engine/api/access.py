"""Who may see and do what, object by object. Anything not visible is answered as missing."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from appraisal_engine.api.auth import Principal
from appraisal_engine.domain.records import AppraisalRecord, AuditEvent, TaskRecord
from appraisal_engine.domain.tasks import TaskKind
from appraisal_engine.store.audit_writer import append_event_with_retry
from appraisal_engine.workflows.messages import AppraisalState


async def log_auditor_read(
    sessions: async_sessionmaker[AsyncSession],
    principal: Principal,
    what: str,
    *,
    appraisal_id: str | None = None,
    cycle_id: str | None = None,
) -> None:
    """Auditors' reads go into the audit log too: who looked at which appraisal or cycle, when."""
    if principal.is_auditor:
        event = AuditEvent(
            event_id=f"read-{uuid.uuid4()}",
            at=datetime.now(UTC),
            actor_nip=principal.nip,
            kind="auditor.read",
            appraisal_id=appraisal_id,
            cycle_id=cycle_id,
            payload={"read": what},
        )
        # Its own transaction, retried when another appender takes the same place in the chain.
        await append_event_with_retry(sessions, event)


def sees_appraisal(who: Principal, appraisal: AppraisalRecord) -> bool:
    """The employee, the supervisor chain (appraiser and the appraiser's superior), HR, auditors."""
    if who.reads_all:
        return True
    return who.nip in (appraisal.employee_nip, appraisal.supervisor_nip, appraisal.superior_nip)


def sees_history(who: Principal, appraisal: AppraisalRecord) -> bool:
    """The employee, HR and auditors read the timeline."""
    return who.reads_all or who.nip == appraisal.employee_nip


def sees_task(who: Principal, task: TaskRecord) -> bool:
    """The assignee, HR and auditors."""
    return who.reads_all or who.nip == task.assignee_nip


def sees_peer_identities(who: Principal) -> bool:
    """Only HR and auditors learn who the peers were."""
    return who.reads_all


def sees_peer_answers(who: Principal) -> bool:
    """Only auditors read what each peer answered; HR sees who answered and when."""
    return who.is_auditor


def redact_state(who: Principal, state: AppraisalState) -> AppraisalState:
    """The live state as this caller may see it: no peer's NIP for the employee or supervisors."""
    if sees_peer_identities(who):
        return state
    tasks = [t for t in state.tasks if t.kind is not TaskKind.PEER_FEEDBACK]
    return state.model_copy(update={"tasks": tasks})
