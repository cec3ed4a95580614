"""The canonical hashes: independent of key order and UTC offset, sensitive to every field; an
organisation's chain hashes its name and place, the legacy chain keeps its old format."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from appraisal_engine.store.audit_chains import LEGACY_CHAIN
from appraisal_engine.store.audit_hash import (
    GENESIS_HASH,
    canonical_json,
    chain_hash,
    format_at,
    legacy_hash,
    row_hash,
)

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=10,
)
payloads = st.dictionaries(st.text(max_size=6), json_values, max_size=5)
instants = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
)
offsets = st.integers(min_value=-12 * 60, max_value=14 * 60).map(
    lambda m: timezone(timedelta(minutes=m))
)


def _fields(payload: dict[str, Any], at: datetime) -> dict[str, Any]:
    return {
        "chain": "kota-binjai",
        "chain_seq": 4,
        "event_id": "e-4",
        "at": at,
        "actor_nip": "197708172002031002",
        "kind": "grade.released",
        "appraisal_id": "a-1",
        "cycle_id": "c-1",
        "payload": payload,
        "prev_hash": GENESIS_HASH,
    }


def _legacy_fields(payload: dict[str, Any], at: datetime) -> dict[str, Any]:
    fields = _fields(payload, at)
    del fields["chain"], fields["chain_seq"]
    return {"seq": 4} | fields


@given(payloads, instants, offsets)
def test_same_content_same_hash(payload: dict[str, Any], at: datetime, offset: timezone) -> None:
    reordered = dict(reversed(list(payload.items())))
    assert chain_hash(**_fields(payload, at)) == chain_hash(
        **_fields(reordered, at.astimezone(offset))
    )
    assert legacy_hash(**_legacy_fields(payload, at)) == legacy_hash(
        **_legacy_fields(reordered, at.astimezone(offset))
    )


CHANGES = [
    ("event_id", "e-5"),
    ("at", datetime(2025, 3, 1, 9, 0, 0, 1, tzinfo=UTC)),
    ("actor_nip", None),
    ("kind", "grade.appealed"),
    ("appraisal_id", "a-2"),
    ("cycle_id", None),
    ("payload", {"n": 2}),
    ("prev_hash", "1" * 64),
]


@pytest.mark.parametrize(
    ("name", "value"),
    [("chain", "kota-medan"), ("chain", LEGACY_CHAIN), ("chain_seq", 5), *CHANGES],
)
def test_every_field_changes_the_hash(name: str, value: Any) -> None:
    base = _fields({"n": 1}, datetime(2025, 3, 1, 9, tzinfo=UTC))
    assert chain_hash(**base) != chain_hash(**(base | {name: value}))


@pytest.mark.parametrize(("name", "value"), [("seq", 5), *CHANGES])
def test_every_field_changes_the_legacy_hash(name: str, value: Any) -> None:
    base = _legacy_fields({"n": 1}, datetime(2025, 3, 1, 9, tzinfo=UTC))
    assert legacy_hash(**base) != legacy_hash(**(base | {name: value}))


def test_a_row_is_hashed_in_its_chains_format() -> None:
    at = datetime(2025, 3, 1, 9, tzinfo=UTC)
    row = _fields({"n": 1}, at) | {"seq": 99, "hash": "ignored"}
    assert row_hash(row) == chain_hash(**_fields({"n": 1}, at))
    # The legacy chain's rows hash their place as the old global seq, and no chain.
    legacy = row | {"chain": LEGACY_CHAIN}
    assert row_hash(legacy) == legacy_hash(**_legacy_fields({"n": 1}, at))
    # The table's own seq is not hashed.
    assert row_hash(row | {"seq": 1}) == row_hash(row)


def test_canonical_json_is_compact_sorted_and_raw_utf8() -> None:
    assert canonical_json({"b": [1, "é"], "a": None}) == '{"a":null,"b":[1,"é"]}'
    with pytest.raises(ValueError):
        canonical_json({"x": float("nan")})


def test_times_are_written_in_utc_with_microseconds() -> None:
    wib = timezone(timedelta(hours=7))
    assert format_at(datetime(2025, 1, 1, 7, 0, tzinfo=wib)) == "2025-01-01T00:00:00.000000Z"
    with pytest.raises(ValueError, match="naive"):
        format_at(datetime(2025, 1, 1))


def test_both_formats_keep_the_hashes_already_written() -> None:
    # Rows in databases today carry these digests; a change of encoding would break every chain.
    at = datetime(2026, 3, 1, 2, 30, tzinfo=UTC)
    payload = {"grade": "baik", "nilai": [1, 2]}
    assert chain_hash(**_fields(payload, at)) == (
        "084c3b0ea32f0744d3f88777219a40280c416db7411473a683ec938db71a5893"
    )
    assert legacy_hash(**_legacy_fields(payload, at)) == (
        "15e73047890e02e5b4596721c480b7ec51aac7c2df74a3be39b6906603c26108"
    )
