"""The audit chains' hashes: one canonical encoding, used by the writer and the verifier alike.

A row of an organisation's chain hashes its chain's name and its place in that chain, so it cannot
be moved to another chain or place; a row of the legacy global chain keeps the hash it was written
with, which covered its seq in the one chain there was."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from appraisal_engine.store.audit_chains import LEGACY_CHAIN

GENESIS_HASH = "0" * 64
"""The prev_hash of the first row of every chain."""


def canonical_json(value: Any) -> str:
    """JSON with sorted keys, no spaces and raw UTF-8: the same value always gives the same text."""
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    )


def format_at(at: datetime) -> str:
    """ISO 8601 in UTC with microseconds and a Z, independent of the offset the caller used."""
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError(f"naive datetime {at!r}: audit times must be timezone-aware")
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _digest(
    head: dict[str, Any],
    *,
    event_id: str,
    at: datetime,
    actor_nip: str | None,
    kind: str,
    appraisal_id: str | None,
    cycle_id: str | None,
    payload: dict[str, Any],
    prev_hash: str,
) -> str:
    """SHA-256 hex of the canonical JSON of `head` (where the row sits), its content and the
    previous row's hash."""
    content = {
        **head,
        "event_id": event_id,
        "at": format_at(at),
        "actor_nip": actor_nip,
        "kind": kind,
        "appraisal_id": appraisal_id,
        "cycle_id": cycle_id,
        "payload": payload,
        "prev_hash": prev_hash,
    }
    return hashlib.sha256(canonical_json(content).encode("utf-8")).hexdigest()


def chain_hash(*, chain: str, chain_seq: int, **row: Any) -> str:
    """SHA-256 hex of one row's content, its chain and place there, and the previous row's hash.
    `row` is the content `_digest` takes: event_id, at, actor_nip, kind, appraisal_id,
    cycle_id, payload and prev_hash."""
    return _digest({"chain": chain, "chain_seq": chain_seq}, **row)


def legacy_hash(*, seq: int, **row: Any) -> str:
    """SHA-256 hex of a row of the legacy global chain: its content, its seq and the previous
    row's hash (the format before per-organisation chains; verified, never written any more)."""
    return _digest({"seq": seq}, **row)


_CONTENT = ("event_id", "at", "actor_nip", "kind", "appraisal_id", "cycle_id", "payload")


def row_hash(row: Mapping[Any, Any]) -> str:
    """The hash a stored row must have, from its chain, chain_seq, content and prev_hash, in
    its chain's format (the table's own `seq` only orders rows and is not hashed)."""
    content = {name: row[name] for name in _CONTENT}
    if row["chain"] == LEGACY_CHAIN:
        return legacy_hash(seq=row["chain_seq"], **content, prev_hash=row["prev_hash"])
    return chain_hash(
        chain=row["chain"], chain_seq=row["chain_seq"], **content, prev_hash=row["prev_hash"]
    )
