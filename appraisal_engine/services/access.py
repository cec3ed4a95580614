"""Who may see and do what. What a caller may not see is left out by the repositories' queries
(and answered as missing); what they may see but not do is refused here."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from appraisal_engine.domain.audit_kinds import AUDITOR_READ
from appraisal_engine.domain.records import AuditEvent
from appraisal_engine.domain.tasks import TaskKind
from appraisal_engine.services.errors import Forbidden
from appraisal_engine.store.audit_writer import append_event_with_retry
from appraisal_engine.store.repositories.viewers import Viewer
from appraisal_engine.workflows.messages import AppraisalState


class Caller(Protocol):
    """Who calls a service: a NIP, and the roles that widen what it may see and do (being an
    employee, supervisor or peer comes from the records, never from a role)."""

    @property
    def nip(self) -> str: ...

    @property
    def is_hr(self) -> bool: ...

    @property
    def is_auditor(self) -> bool: ...

    @property
    def reads_all(self) -> bool: ...


def viewer(who: Caller) -> Viewer:
    """The caller as the repositories' queries filter for."""
    return Viewer(nip=who.nip, reads_all=who.reads_all)


def require_hr(who: Caller) -> None:
    """Only HR (the thing is known, the action is not theirs)."""
    if not who.is_hr:
        raise Forbidden("this action is for HR")


def require_reader(who: Caller) -> None:
    """HR or an auditor."""
    if not who.reads_all:
        raise Forbidden("this is for HR and auditors")


def require_auditor(who: Caller) -> None:
    """Only auditors."""
    if not who.is_auditor:
        raise Forbidden("this is for auditors")


async def log_auditor_read(
    sessions: async_sessionmaker[AsyncSession],
    who: Caller,
    what: str,
    *,
    appraisal_id: str | None = None,
    cycle_id: str | None = None,
) -> None:
    """Auditors' reads go into the audit log too: who looked at which appraisal or cycle, when."""
    if who.is_auditor:
        event = AuditEvent(
            event_id=f"read-{uuid.uuid4()}",
            at=datetime.now(UTC),
            actor_nip=who.nip,
            kind=AUDITOR_READ,
            appraisal_id=appraisal_id,
            cycle_id=cycle_id,
            payload={"read": what},
        )
        # Its own transaction, retried when another appender takes the same place in the chain.
        await append_event_with_retry(sessions, event)


def sees_peer_identities(who: Caller) -> bool:
    """Only HR and auditors learn who the peers were."""
    return who.reads_all


def sees_peer_answers(who: Caller) -> bool:
    """Only auditors read what each peer answered; HR sees who answered and when."""
    return who.is_auditor


def redact_state(who: Caller, state: AppraisalState) -> AppraisalState:
    """The live state as this caller may see it: no peer's NIP for the employee or supervisors."""
    if sees_peer_identities(who):
        return state
    tasks = [t for t in state.tasks if t.kind is not TaskKind.PEER_FEEDBACK]
    return state.model_copy(update={"tasks": tasks})
