"""The tamper-evident audit log, for auditors: its events, its chains' heads, and their
verification."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from appraisal_engine.domain.records import EVERY_EVENT, AuditFilter
from appraisal_engine.services.access import Caller, require_auditor
from appraisal_engine.store.repositories.audit import (
    AuditEntry,
    ChainHead,
    chain_head,
    chain_heads,
    list_events,
)
from appraisal_engine.store.repositories.audit_verify import Anchor, VerifyResult, verify_chain


async def events(
    session: AsyncSession,
    who: Caller,
    *,
    where: AuditFilter = EVERY_EVENT,
    limit: int = 50,
    offset: int = 0,
) -> list[AuditEntry]:
    """Audit events in the order appended, filtered by actor, appraisal, cycle, kind and time."""
    require_auditor(who)
    return await list_events(session, where=where, limit=limit, offset=offset)


async def head(session: AsyncSession, who: Caller, chain: str) -> ChainHead:
    """One chain's newest row: its place, hash and time (seq 0 for an empty chain)."""
    require_auditor(who)
    return await chain_head(session, chain)


async def heads(session: AsyncSession, who: Caller) -> list[ChainHead]:
    """Every chain's newest row, by chain name."""
    require_auditor(who)
    return await chain_heads(session)


async def verify(
    session: AsyncSession, who: Caller, anchors: Sequence[Anchor], *, chain: str | None = None
) -> VerifyResult:
    """Walk every chain (or only `chain` and those the anchors name), checking each against
    heads recorded earlier (`anchors`)."""
    require_auditor(who)
    return await verify_chain(session, chain=chain, anchors=anchors)
