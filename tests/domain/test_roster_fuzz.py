"""Whatever bytes arrive, reading and checking a roster either succeeds or raises RosterInvalid."""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from appraisal_engine.domain.roster import (
    COLUMNS,
    Roster,
    RosterInvalid,
    parse_roster,
    validate_roster,
)

EXAMPLE = (Path(__file__).parents[2] / "examples" / "roster.csv").read_bytes()
FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def read(data: bytes, content_type: str | None = None) -> Roster | None:
    """Parse and validate; None when rejected the one allowed way."""
    try:
        return validate_roster(
            parse_roster(data, content_type=content_type), top_appraiser_nip="196805172000031001"
        )
    except RosterInvalid as e:
        assert e.errors, "a rejection must say why"
        assert all(err.message for err in e.errors)
        return None


@FUZZ
@given(st.binary(max_size=600), st.sampled_from([None, "text/csv", "application/json"]))
def test_random_bytes(data: bytes, content_type: str | None) -> None:
    read(data, content_type)


CSV_PIECES = st.sampled_from(
    [
        *[",", ";", '"', "'", "\n", "\r\n", "\r", "\t", " ", "\x00", "\ufeff", "=", "1.98E+17"],
        *["198503122010011001", "197203141998031004", "jpt", "pelaksana", "U1", "Unit", "\udcff"],
        *COLUMNS,
    ]
)


@FUZZ
@given(
    st.sampled_from([",", ";"]),
    st.lists(st.one_of(CSV_PIECES, st.text(max_size=5)), max_size=60),
    st.booleans(),
)
def test_malformed_csv_text(sep: str, pieces: list[str], with_header: bool) -> None:
    header = sep.join(COLUMNS) + "\n" if with_header else ""
    read((header + "".join(pieces)).encode("utf-8", errors="surrogateescape"))


@FUZZ
@given(
    st.integers(min_value=0, max_value=len(EXAMPLE)),
    st.integers(min_value=0, max_value=40),
    st.binary(max_size=12),
    st.booleans(),
)
def test_damaged_example_file(at: int, cut: int, junk: bytes, truncate: bool) -> None:
    data = EXAMPLE[:at] if truncate else EXAMPLE[:at] + junk + EXAMPLE[at + cut :]
    read(data)
    read(data.replace(b",", b";"))


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=10),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner),
    max_leaves=5,
)
JSON_CELLS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.text(max_size=12),
    st.sampled_from(["198503122010011001", "197203141998031004", "jpt", "U1", "1.98E+17"]),
)
JSON_ROWS = st.lists(
    st.dictionaries(st.sampled_from([*COLUMNS, "nama", "plt", "x"]), JSON_CELLS, max_size=9),
    max_size=5,
)


@FUZZ
@given(st.one_of(JSON_VALUES, JSON_ROWS, JSON_ROWS.map(lambda rows: {"employees": rows})))
def test_random_json(value: object) -> None:
    read(json.dumps(value).encode())


def test_the_fuzzers_reach_success_too() -> None:
    assert read(EXAMPLE) is not None
    assert read(EXAMPLE.replace(b",", b";")) is not None
