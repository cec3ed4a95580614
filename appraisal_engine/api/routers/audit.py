"""The tamper-evident audit log for auditors: filter it, read its chains' heads, and verify its
hash chains (one per organisation), against anchors (heads recorded earlier, outside the
database) when given."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import AfterValidator, WithJsonSchema

from appraisal_engine.api.deps import AuditorPrincipal, SessionDep
from appraisal_engine.api.openapi import responses
from appraisal_engine.api.schemas import Instant, Limit, Offset, Page, page_of
from appraisal_engine.domain.records import AuditFilter
from appraisal_engine.services import audit
from appraisal_engine.store.audit_chains import CHAIN_NAME
from appraisal_engine.store.repositories.audit import AuditEntry, ChainHead
from appraisal_engine.store.repositories.audit_verify import ANCHOR_PATTERN, Anchor, VerifyResult

router = APIRouter(prefix="/v1/audit", tags=["audit"])
Text = Annotated[str | None, Query(max_length=200)]
CHAIN_HELP = (
    "a chain's name: an organisation's code, `_system` for events of no organisation,"
    " `_legacy` for the rows of the single chain kept before per-organisation chains"
)


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
            "examples": [f"kota-binjai:1024:{'0' * 64}"],
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
    """Audit events in the order appended, filtered by actor, appraisal, cycle, kind and time."""
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


@router.get("/heads", responses=responses(401, 403))
async def audit_heads(principal: AuditorPrincipal, session: SessionDep) -> list[ChainHead]:
    """Every chain's newest row: its chain, its place there (seq), hash and time. Record them
    outside the database, e.g. on the auditor's machine, and pass them to `/verify` later as
    anchors (`CHAIN:SEQ:HASH`): a chain alone cannot show that its newest rows were deleted,
    an anchor past its end can."""
    return await audit.heads(session, principal)


@router.get("/head", responses=responses(401, 403, 422))
async def audit_head(
    principal: AuditorPrincipal,
    session: SessionDep,
    chain: Annotated[str, Query(pattern=f"^{CHAIN_NAME}$", description=CHAIN_HELP)],
) -> ChainHead:
    """One chain's newest row (seq 0 for a chain without rows); see `/heads`."""
    return await audit.head(session, principal, chain)


@router.get("/verify", responses=responses(401, 403, 422))
async def audit_verify(
    principal: AuditorPrincipal,
    session: SessionDep,
    anchor: Annotated[
        list[AnchorText] | None,
        Query(
            description="a chain's head recorded earlier, as CHAIN:SEQ:HASH (the chain, the"
            " row's place in it and its hash in lowercase hex; SEQ:HASH alone names the"
            " `_legacy` chain); repeat for more. The chain must still reach each anchor's seq"
            " and hold the same hash there."
        ),
    ] = None,
    chain: Annotated[
        str | None,
        Query(
            pattern=f"^{CHAIN_NAME}$",
            description=f"only this chain (and those the anchors name): {CHAIN_HELP}",
        ),
    ] = None,
) -> VerifyResult:
    """Walk every chain (or only `chain` and those the anchors name), each on its own;
    `chains` has each one's verdict, and `first_broken_chain` and `first_broken_seq` name the
    first row altered, moved or missing, or replaced or deleted since an anchor was recorded.
    Each verdict's `head` is what was verified: when `ok`, record it as that chain's next
    anchor."""
    anchors = [Anchor.parse(a) for a in anchor or ()]
    return await audit.verify(session, principal, anchors, chain=chain)
