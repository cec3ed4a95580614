"""The audit chain's hash: one canonical encoding, used by the writer and the verifier alike."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

GENESIS_HASH = "0" * 64
"""The prev_hash of the first row of the chain."""


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


def chain_hash(
    *,
    seq: int,
    event_id: str,
    at: datetime,
    actor_nip: str | None,
    kind: str,
    appraisal_id: str | None,
    cycle_id: str | None,
    payload: dict[str, Any],
    prev_hash: str,
) -> str:
    """SHA-256 hex of one row's content and the previous row's hash."""
    content = {
        "seq": seq,
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
