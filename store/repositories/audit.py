"""The tamper-evident audit log: append to the hash chain, list events, verify the chain."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncSession

from domain.model import Value
from domain.records import AuditEvent
from store.audit_hash import GENESIS_HASH, canonical_json, chain_hash
from store.locks import hold_write_lock
from store.models import AuditEventRow
from store.repositories._rows import table_of

_audit = table_of(AuditEventRow)


class AuditEntry(AuditEvent):
    """An audit event as stored: its place in the chain and the hashes linking it."""

    seq: int
    prev_hash: str
    hash: str


class VerifyResult(Value):
    """What verifying the chain found: the first broken row, if any, and why."""

    ok: bool
    checked: int
    first_broken_seq: int | None = None
    reason: str | None = None


async def append_event(session: AsyncSession, event: AuditEvent) -> int:
    """Append the event to the chain and return its seq; an event_id already stored returns
    the existing seq and writes nothing. A racing insert fails on the seq key: retry it."""
    # Appenders queue here, so the last row read below is still the last at insert time.
    await hold_write_lock(session, "audit_events", _audit)
    existing = await session.scalar(select(_audit.c.seq).where(_audit.c.event_id == event.event_id))
    if existing is not None:
        return int(existing)
    newest = select(_audit.c.seq, _audit.c.hash).order_by(_audit.c.seq.desc()).limit(1)
    last = (await session.execute(newest)).first()
    seq, prev_hash = (1, GENESIS_HASH) if last is None else (last.seq + 1, last.hash)
    # Hash what will be read back: the JSON form of the payload (datetimes as strings, etc.).
    payload: dict[str, Any] = json.loads(canonical_json(event.model_dump(mode="json")["payload"]))
    fields: dict[str, Any] = {
        "seq": seq,
        "event_id": event.event_id,
        "at": event.at,
        "actor_nip": event.actor_nip,
        "kind": event.kind,
        "appraisal_id": event.appraisal_id,
        "cycle_id": event.cycle_id,
        "payload": payload,
    }
    digest = chain_hash(**fields, prev_hash=prev_hash)
    await session.execute(insert(_audit).values(**fields, prev_hash=prev_hash, hash=digest))
    return seq


async def list_events(
    session: AsyncSession,
    *,
    actor_nip: str | None = None,
    appraisal_id: str | None = None,
    cycle_id: str | None = None,
    kind: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int = 100,
    offset: int = 0,
) -> list[AuditEntry]:
    """Events matching every given filter, in chain order; `since` inclusive, `until` exclusive."""
    query = select(_audit)
    if actor_nip is not None:
        query = query.where(_audit.c.actor_nip == actor_nip)
    if appraisal_id is not None:
        query = query.where(_audit.c.appraisal_id == appraisal_id)
    if cycle_id is not None:
        query = query.where(_audit.c.cycle_id == cycle_id)
    if kind is not None:
        query = query.where(_audit.c.kind == kind)
    if since is not None:
        query = query.where(_audit.c.at >= since)
    if until is not None:
        query = query.where(_audit.c.at < until)
    rows = await session.execute(query.order_by(_audit.c.seq).limit(limit).offset(offset))
    return [AuditEntry.model_validate(dict(row._mapping)) for row in rows]


async def verify_chain(session: AsyncSession, *, batch_size: int = 500) -> VerifyResult:
    """Walk the chain in seq order and report the first row whose seq, link or hash is wrong."""
    expected_seq, prev_hash, checked = 1, GENESIS_HASH, 0
    after: int | None = None
    while True:
        # Keyset pages: memory stays flat however long the chain grows.
        query = select(_audit).order_by(_audit.c.seq).limit(batch_size)
        if after is not None:
            query = query.where(_audit.c.seq > after)
        rows = (await session.execute(query)).mappings().all()
        if not rows:
            return VerifyResult(ok=True, checked=checked)
        for row in rows:
            problem = _check_row(row, expected_seq, prev_hash)
            if problem is not None:
                broken_seq, reason = problem
                return VerifyResult(
                    ok=False, checked=checked, first_broken_seq=broken_seq, reason=reason
                )
            checked += 1
            expected_seq, prev_hash = row["seq"] + 1, row["hash"]
        after = rows[-1]["seq"]


def _check_row(row: RowMapping, expected_seq: int, prev_hash: str) -> tuple[int, str] | None:
    seq = row["seq"]
    if seq > expected_seq:
        return expected_seq, f"seq {expected_seq} is missing (the next row is seq {seq})"
    if seq != expected_seq:
        return seq, f"unexpected seq {seq} where seq {expected_seq} should be"
    if row["prev_hash"] != prev_hash:
        return seq, f"prev_hash of seq {seq} does not match the hash of the row before it"
    content = {name: row[name] for name in row if name not in ("hash", "prev_hash")}
    if chain_hash(**content, prev_hash=row["prev_hash"]) != row["hash"]:
        return seq, f"hash of seq {seq} does not match its content"
    return None
