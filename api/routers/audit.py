"""The tamper-evident audit log for auditors: filter it, and verify its hash chain."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from api.deps import AuditorPrincipal, SessionDep
from api.openapi import responses
from api.schemas import Instant, Limit, Offset, Page, page_of
from store.repositories.audit import AuditEntry, VerifyResult, list_events, verify_chain

router = APIRouter(prefix="/v1/audit", tags=["audit"])
Text = Annotated[str | None, Query(max_length=200)]


@router.get("/events", responses=responses(401, 403, 422))
async def audit_events(
    principal: AuditorPrincipal,
    session: SessionDep,
    limit: Limit = 50,
    offset: Offset = 0,
    actor: Text = None,
    appraisal_id: Text = None,
    cycle_id: Text = None,
    kind: Text = None,
    since: Annotated[Instant | None, Query(description="inclusive")] = None,
    until: Annotated[Instant | None, Query(description="exclusive")] = None,
) -> Page[AuditEntry]:
    """Audit events in chain order, filtered by actor, appraisal, cycle, kind and time."""
    rows = await list_events(
        session,
        actor_nip=actor,
        appraisal_id=appraisal_id,
        cycle_id=cycle_id,
        kind=kind,
        since=since,
        until=until,
        limit=limit + 1,
        offset=offset,
    )
    return page_of(rows, limit, offset)


@router.get("/verify", responses=responses(401, 403))
async def audit_verify(principal: AuditorPrincipal, session: SessionDep) -> VerifyResult:
    """Walk the whole chain; `first_broken_seq` names the first row altered, moved or missing."""
    return await verify_chain(session)
