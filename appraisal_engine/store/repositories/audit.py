"""The tamper-evident audit log: append to the hash chain, list events, read its head, verify
the chain, against anchors (heads recorded earlier, outside the database) when given."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from pydantic import Field
from sqlalchemy import insert, select
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncSession

from appraisal_engine.domain.model import Value
from appraisal_engine.domain.records import EVERY_EVENT, AuditEvent, AuditFilter
from appraisal_engine.store.audit_hash import GENESIS_HASH, canonical_json, chain_hash
from appraisal_engine.store.locks import hold_write_lock
from appraisal_engine.store.models import AuditEventRow
from appraisal_engine.store.repositories._rows import table_of

_audit = table_of(AuditEventRow)


class AuditEntry(AuditEvent):
    """An audit event as stored: its place in the chain and the hashes linking it."""

    seq: int
    prev_hash: str
    hash: str


_ANCHOR = re.compile(r"[1-9][0-9]{0,18}:[0-9a-f]{64}")
ANCHOR_PATTERN = f"^{_ANCHOR.pattern}$"
"""An anchor as text: `SEQ:HASH`, a positive seq and the row's hash in lowercase hex."""


class ChainHead(Value):
    """The newest row of the chain: its seq, hash and time; seq 0 and the genesis hash (and no
    time) for an empty chain. Recorded outside the database, it becomes an anchor."""

    seq: int = Field(ge=0, examples=[1024])
    hash: str = Field(pattern=r"^[0-9a-f]{64}$", examples=[GENESIS_HASH])
    at: datetime | None = Field(default=None, description="null for an empty chain")


EMPTY_HEAD = ChainHead(seq=0, hash=GENESIS_HASH)
"""The head of a chain without rows."""


class Anchor(Value):
    """A head recorded earlier, outside the database: the row at `seq` must still exist and
    still have `hash`. Deleting the newest rows leaves a consistent chain; only an anchor past
    its new end shows they were there."""

    seq: int = Field(ge=1)
    hash: str = Field(pattern=r"^[0-9a-f]{64}$")

    @classmethod
    def parse(cls, text: str) -> Anchor:
        """An anchor from `SEQ:HASH`; raises ValueError naming the expected form."""
        if not _ANCHOR.fullmatch(text):
            raise ValueError(
                "an anchor is SEQ:HASH, a positive seq and a 64-digit lowercase hex hash"
            )
        seq, _, digest = text.partition(":")
        return cls(seq=int(seq), hash=digest)


class VerifyResult(Value):
    """What verifying the chain found: the first broken row, if any, and why; how many anchors
    it confirmed; and the head it verified up to (the newest row that passed every check),
    which, when `ok`, is the next anchor to record."""

    ok: bool
    checked: int
    first_broken_seq: int | None = None
    reason: str | None = None
    anchors_checked: int = Field(description="anchors whose row was found with their hash")
    head: ChainHead = Field(description="the newest row that passed every check")


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
    session: AsyncSession, *, where: AuditFilter = EVERY_EVENT, limit: int = 100, offset: int = 0
) -> list[AuditEntry]:
    """Events matching the filter, in chain order; `since` inclusive, `until` exclusive."""
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


async def chain_head(session: AsyncSession) -> ChainHead:
    """The newest row's seq, hash and time; seq 0 and the genesis hash for an empty chain."""
    newest = select(_audit.c.seq, _audit.c.hash, _audit.c.at).order_by(_audit.c.seq.desc())
    return _head_of((await session.execute(newest.limit(1))).mappings().first())


def _head_of(row: RowMapping | None) -> ChainHead:
    """The head a row makes; an empty chain's for none."""
    return EMPTY_HEAD if row is None else ChainHead(seq=row["seq"], hash=row["hash"], at=row["at"])


async def verify_chain(
    session: AsyncSession, *, anchors: Iterable[Anchor] = (), batch_size: int = 500
) -> VerifyResult:
    """Walk the chain in seq order and report the first row whose seq, link or hash is wrong or
    whose hash is not the one an anchor recorded; past the chain's end, the first anchored row
    that is gone (the newest rows were deleted: the rest of the chain alone cannot show it)."""
    pending = sorted(set(anchors), key=lambda a: (a.seq, a.hash))
    expected_seq, prev_hash, checked, confirmed = 1, GENESIS_HASH, 0, 0
    last: RowMapping | None = None

    def result(broken_seq: int | None = None, reason: str | None = None) -> VerifyResult:
        return VerifyResult(
            ok=broken_seq is None,
            checked=checked,
            first_broken_seq=broken_seq,
            reason=reason,
            anchors_checked=confirmed,
            head=_head_of(last),
        )

    while True:
        # Keyset pages: memory stays flat however long the chain grows.
        query = select(_audit).order_by(_audit.c.seq).limit(batch_size)
        if last is not None:
            query = query.where(_audit.c.seq > last["seq"])
        rows = (await session.execute(query)).mappings().all()
        if not rows:
            break
        for row in rows:
            problem = _check_row(row, expected_seq, prev_hash)
            # Seqs run 1, 2, 3... with no gap here, so each anchor meets the row at its seq.
            while (
                problem is None
                and confirmed < len(pending)
                and pending[confirmed].seq <= row["seq"]
            ):
                problem = _check_anchor(row, pending[confirmed])
                if problem is None:
                    confirmed += 1
            if problem is not None:
                return result(*problem)
            checked += 1
            expected_seq, prev_hash, last = row["seq"] + 1, row["hash"], row
    if confirmed < len(pending):
        # What is left is consistent, but shorter than it was when the anchor was recorded.
        end, anchored = (0 if last is None else last["seq"]), pending[confirmed].seq
        return result(
            end + 1,
            f"the chain ends at seq {end} but an anchor recorded seq {anchored}:"
            f" rows after {end} were deleted",
        )
    return result()


def _check_anchor(row: RowMapping, anchor: Anchor) -> tuple[int, str] | None:
    if anchor.hash == row["hash"]:
        return None
    return row["seq"], (
        f"the row at seq {row['seq']} has hash {row['hash']} but an anchor recorded"
        f" {anchor.seq}:{anchor.hash}: the row was replaced"
    )


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
