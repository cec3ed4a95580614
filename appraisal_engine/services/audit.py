"""The tamper-evident audit log, for auditors: its events, its head, and its verification."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from appraisal_engine.domain.records import EVERY_EVENT, AuditFilter
from appraisal_engine.services.access import Caller, require_auditor
from appraisal_engine.store.repositories.audit import (
    Anchor,
    AuditEntry,
    ChainHead,
    VerifyResult,
    chain_head,
    list_events,
    verify_chain,
)


async def events(
    session: AsyncSession,
    who: Caller,
    *,
    where: AuditFilter = EVERY_EVENT,
    limit: int = 50,
    offset: int = 0,
) -> list[AuditEntry]:
    """Audit events in chain order, filtered by actor, appraisal, cycle, kind and time."""
    require_auditor(who)
    return await list_events(session, where=where, limit=limit, offset=offset)


async def head(session: AsyncSession, who: Caller) -> ChainHead:
    """The newest row's seq, hash and time (seq 0 for an empty chain)."""
    require_auditor(who)
    return await chain_head(session)


async def verify(session: AsyncSession, who: Caller, anchors: Sequence[Anchor]) -> VerifyResult:
    """Walk the whole chain, checking it against heads recorded earlier (`anchors`)."""
    require_auditor(who)
    return await verify_chain(session, anchors=anchors)
