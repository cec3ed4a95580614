"""The tamper-evident audit log: append to an organisation's hash chain, list events, read each
chain's head. Verifying the chains is in `audit_verify`."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from pydantic import Field
from sqlalchemy import func, select, tuple_
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncSession

from appraisal_engine.domain.model import Value
from appraisal_engine.domain.records import EVERY_EVENT, AuditEvent, AuditFilter
from appraisal_engine.store.audit_chains import CHAIN_NAME, chain_of
from appraisal_engine.store.audit_hash import GENESIS_HASH, canonical_json, chain_hash
from appraisal_engine.store.locks import hold_write_lock
from appraisal_engine.store.models import AuditEventRow
from appraisal_engine.store.repositories._rows import insert_new, table_of

_audit = table_of(AuditEventRow)


class AuditEntry(AuditEvent):
    """An audit event as stored: the table's order of appending (`seq`), its chain and place
    there, and the hashes linking it to the row before it in its chain."""

    seq: int
    chain: str
    chain_seq: int
    prev_hash: str
    hash: str


class ChainHead(Value):
    """The newest row of one chain: its place in the chain (`seq`), hash and time; seq 0 and
    the genesis hash (and no time) for an empty chain. Recorded outside the database, it
    becomes an anchor, `CHAIN:SEQ:HASH`."""

    chain: str = Field(pattern=f"^{CHAIN_NAME}$", examples=["kota-binjai"])
    seq: int = Field(ge=0, examples=[1024], description="the row's place in its chain")
    hash: str = Field(pattern=r"^[0-9a-f]{64}$", examples=[GENESIS_HASH])
    at: datetime | None = Field(default=None, description="null for an empty chain")

    @classmethod
    def empty(cls, chain: str) -> ChainHead:
        """The head of a chain without rows."""
        return cls(chain=chain, seq=0, hash=GENESIS_HASH)

    @property
    def anchor(self) -> str:
        """The head as an anchor's text."""
        return f"{self.chain}:{self.seq}:{self.hash}"


Heads = dict[str, tuple[int, str]]
"""Each chain's last place and hash as this transaction left them, so that a step appending
several events to one chain reads its last row once."""


async def lock_chains(session: AsyncSession, events: Iterable[AuditEvent]) -> Heads:
    """Take the write locks of the events' chains in name order, so two transactions appending
    to the same chains never wait for each other in a cycle; returns the heads to append with."""
    for chain in sorted({chain_of(e.cycle_id, e.appraisal_id) for e in events}):
        await hold_write_lock(session, f"audit:{chain}", _audit)
    return {}


async def append_event(session: AsyncSession, event: AuditEvent, heads: Heads | None = None) -> int:
    """Append the event to its organisation's chain and return its seq (the table's); an
    event_id already stored returns the existing seq and writes nothing. A racing insert
    fails on the chain's (chain, chain_seq) key: retry it.

    `heads` from `lock_chains` says the chain's lock is held already and carries what this
    transaction appended before; without it the lock is taken here."""
    chain = chain_of(event.cycle_id, event.appraisal_id)
    if heads is None:
        # Appenders of one chain queue here, so its last row read below is still the last at
        # insert time; appenders of other chains do not wait (on SQLite every writer waits).
        await hold_write_lock(session, f"audit:{chain}", _audit)
        heads = {}
    if (head := heads.get(chain)) is None:
        newest = (
            select(_audit.c.chain_seq, _audit.c.hash)
            .where(_audit.c.chain == chain)
            .order_by(_audit.c.chain_seq.desc())
            .limit(1)
        )
        last = (await session.execute(newest)).first()
        head = (0, GENESIS_HASH) if last is None else (last.chain_seq, last.hash)
    chain_seq, prev_hash = head[0] + 1, head[1]
    # Hash what will be read back: the JSON form of the payload (datetimes as strings, etc.).
    payload: dict[str, Any] = json.loads(canonical_json(event.model_dump(mode="json")["payload"]))
    fields: dict[str, Any] = {
        "chain": chain,
        "chain_seq": chain_seq,
        "event_id": event.event_id,
        "at": event.at,
        "actor_nip": event.actor_nip,
        "kind": event.kind,
        "appraisal_id": event.appraisal_id,
        "cycle_id": event.cycle_id,
        "payload": payload,
    }
    digest = chain_hash(**fields, prev_hash=prev_hash)
    row = {**fields, "prev_hash": prev_hash, "hash": digest}
    seq = await insert_new(session, _audit, row, key="event_id", returning="seq")
    if seq is None:  # stored by an earlier attempt whose answer was lost: the chain is as it was
        heads.pop(chain, None)
        stored = select(_audit.c.seq).where(_audit.c.event_id == event.event_id)
        return int((await session.execute(stored)).scalar_one())
    heads[chain] = (chain_seq, digest)
    return int(seq)


async def list_events(
    session: AsyncSession, *, where: AuditFilter = EVERY_EVENT, limit: int = 100, offset: int = 0
) -> list[AuditEntry]:
    """Events matching the filter, in the order appended; `since` inclusive, `until` exclusive."""
    query = select(_audit)
    if where.actor_nip is not None:
        query = query.where(_audit.c.actor_nip == where.actor_nip)
    if where.appraisal_id is not None:
        query = query.where(_audit.c.appraisal_id == where.appraisal_id)
    if where.cycle_id is not None:
        query = query.where(_audit.c.cycle_id == where.cycle_id)
    if where.kind is not None:
        query = query.where(_audit.c.kind == where.kind)
    if where.since is not None:
        query = query.where(_audit.c.at >= where.since)
    if where.until is not None:
        query = query.where(_audit.c.at < where.until)
    rows = await session.execute(query.order_by(_audit.c.seq).limit(limit).offset(offset))
    return [AuditEntry.model_validate(dict(row._mapping)) for row in rows]


async def chain_head(session: AsyncSession, chain: str) -> ChainHead:
    """The newest row of the chain; seq 0 and the genesis hash for a chain without rows."""
    newest = (
        select(_audit.c.chain, _audit.c.chain_seq, _audit.c.hash, _audit.c.at)
        .where(_audit.c.chain == chain)
        .order_by(_audit.c.chain_seq.desc())
        .limit(1)
    )
    return head_of(chain, (await session.execute(newest)).mappings().first())


async def chain_heads(session: AsyncSession) -> list[ChainHead]:
    """Every chain's newest row, by chain name: what to record as anchors (none when empty)."""
    last = select(_audit.c.chain, func.max(_audit.c.chain_seq)).group_by(_audit.c.chain)
    newest = (
        select(_audit.c.chain, _audit.c.chain_seq, _audit.c.hash, _audit.c.at)
        .where(tuple_(_audit.c.chain, _audit.c.chain_seq).in_(last))
        .order_by(_audit.c.chain)
    )
    rows = (await session.execute(newest)).mappings().all()
    return [head_of(row["chain"], row) for row in rows]


def head_of(chain: str, row: RowMapping | None) -> ChainHead:
    """The head a row of the chain makes; an empty chain's for none."""
    if row is None:
        return ChainHead.empty(chain)
    return ChainHead(chain=chain, seq=row["chain_seq"], hash=row["hash"], at=row["at"])
