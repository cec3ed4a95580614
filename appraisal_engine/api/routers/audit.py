"""The tamper-evident audit log for auditors: filter it, read its head, and verify its hash
chain, against anchors (heads recorded earlier, outside the database) when given."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import AfterValidator, WithJsonSchema

from appraisal_engine.api.deps import AuditorPrincipal, SessionDep
from appraisal_engine.api.openapi import responses
from appraisal_engine.api.schemas import Instant, Limit, Offset, Page, page_of
from appraisal_engine.domain.records import AuditFilter
from appraisal_engine.services import audit
from appraisal_engine.store.repositories.audit import (
    ANCHOR_PATTERN,
    Anchor,
    AuditEntry,
    ChainHead,
    VerifyResult,
)

router = APIRouter(prefix="/v1/audit", tags=["audit"])
Text = Annotated[str | None, Query(max_length=200)]


def _anchor_text(value: str) -> str:
    Anchor.parse(value)  # raises ValueError naming the form
    return value


AnchorText = Annotated[
    str,
    AfterValidator(_anchor_text),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": ANCHOR_PATTERN,
            "examples": [f"1024:{'0' * 64}"],
        }
    ),
]


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
    where = AuditFilter(
        actor_nip=actor,
        appraisal_id=appraisal_id,
        cycle_id=cycle_id,
        kind=kind,
        since=since,
        until=until,
    )
    rows = await audit.events(session, principal, where=where, limit=limit + 1, offset=offset)
    return page_of(rows, limit, offset)


@router.get("/head", responses=responses(401, 403))
async def audit_head(principal: AuditorPrincipal, session: SessionDep) -> ChainHead:
    """The newest row's seq, hash and time (seq 0 for an empty chain). Record it outside the
    database, e.g. on the auditor's machine, and pass it to `/verify` later as an anchor: the
    chain alone cannot show that its newest rows were deleted, an anchor past its end can."""
    return await audit.head(session, principal)


@router.get("/verify", responses=responses(401, 403, 422))
async def audit_verify(
    principal: AuditorPrincipal,
    session: SessionDep,
    anchor: Annotated[
        list[AnchorText] | None,
        Query(
            description="a head recorded earlier, as SEQ:HASH (the row's seq and its hash in"
            " lowercase hex); repeat for more. The chain must still reach each anchor's seq and"
            " hold the same hash there."
        ),
    ] = None,
) -> VerifyResult:
    """Walk the whole chain; `first_broken_seq` names the first row altered, moved or missing,
    or replaced or deleted since an anchor was recorded. `head` is what was verified: when
    `ok`, record it as the next anchor."""
    return await audit.verify(session, principal, [Anchor.parse(a) for a in anchor or ()])
