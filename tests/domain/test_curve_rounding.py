"""Small units: how the policy's `curve_rounding` turns a curve's share into people, at each
boundary of unit size, and what it does to whether a unit fits its curve."""

from __future__ import annotations

import math
from collections.abc import Iterator
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from appraisal_engine.domain.curve import (
    NATIONAL_CURVE,
    UnitRating,
    Violation,
    check_curve,
    rule_checks,
)
from appraisal_engine.domain.curve_rounding import (
    CurveRounding,
    fewest_required,
    most_allowed,
    whole,
)
from appraisal_engine.domain.ratings import Grade
from tests.domain.test_curve import rated_units, unit

STRICT, NEAREST, LENIENT = CurveRounding.STRICT, CurveRounding.NEAREST, CurveRounding.LENIENT
MODES = [STRICT, NEAREST, LENIENT]  # from the least to the most a unit is allowed
U = UnitRating
SB, BA, BP, KU, SK = list(Grade)


# --- a share as people, at each unit size --------------------------------------------------------


@pytest.mark.parametrize(
    ("share", "size", "strict", "nearest", "lenient"),
    [
        # at most 10%: 0.1, 0.2, 0.3, 0.9, 1, 1.1 people; a half allows one (nearest)
        (0.10, 1, 0, 0, 1),
        (0.10, 2, 0, 0, 1),
        (0.10, 3, 0, 0, 1),
        (0.10, 5, 0, 1, 1),
        (0.10, 9, 0, 1, 1),
        (0.10, 10, 1, 1, 1),
        (0.10, 11, 1, 1, 2),
        # at most 70%: 0.7, 1.4, 2.1, 6.3, 7, 7.7 people
        (0.70, 1, 0, 1, 1),
        (0.70, 2, 1, 1, 2),
        (0.70, 3, 2, 2, 3),
        (0.70, 9, 6, 6, 7),
        (0.70, 10, 7, 7, 7),
        (0.70, 11, 7, 8, 8),
        # none at all stays none, all stays all
        (0.0, 1, 0, 0, 0),
        (0.0, 11, 0, 0, 0),
        (1.0, 9, 9, 9, 9),
    ],
)
def test_most_allowed_at_each_unit_size(
    share: float, size: int, strict: int, nearest: int, lenient: int
) -> None:
    assert [most_allowed(share, size, m) for m in MODES] == [strict, nearest, lenient]


@pytest.mark.parametrize(
    ("share", "size", "strict", "nearest", "lenient"),
    [
        # at least 60%: 0.6, 1.2, 1.8, 5.4, 6, 6.6 people
        (0.60, 1, 1, 1, 0),
        (0.60, 2, 2, 1, 1),
        (0.60, 3, 2, 2, 1),
        (0.60, 9, 6, 5, 5),
        (0.60, 10, 6, 6, 6),
        (0.60, 11, 7, 7, 6),
        # at least 10%: 0.1, 0.2, 0.3, 0.5, 0.9, 1, 1.1 people; a half requires none (nearest)
        (0.10, 1, 1, 0, 0),
        (0.10, 2, 1, 0, 0),
        (0.10, 3, 1, 0, 0),
        (0.10, 5, 1, 0, 0),
        (0.10, 9, 1, 1, 0),
        (0.10, 10, 1, 1, 1),
        (0.10, 11, 2, 1, 1),
        # at least half of 3 is 1.5 people
        (0.50, 3, 2, 1, 1),
    ],
)
def test_fewest_required_at_each_unit_size(
    share: float, size: int, strict: int, nearest: int, lenient: int
) -> None:
    assert [fewest_required(share, size, m) for m in MODES] == [strict, nearest, lenient]


def test_a_share_that_is_whole_people_is_not_rounded_whatever_the_float() -> None:
    # 0.7 * 10 is 7.000000000000001 and 0.1 * 3 is 0.30000000000000004 in floats.
    assert whole(0.7, 10) and whole(0.1, 10) and whole(0.6, 5) and not whole(0.1, 3)
    for mode in MODES:
        assert most_allowed(0.7, 10, mode) == 7
        assert fewest_required(0.6, 5, mode) == 3


SHARES = st.integers(min_value=0, max_value=1000).map(lambda per_mille: per_mille / 1000)
SIZES = st.integers(min_value=1, max_value=500)


@given(share=SHARES, size=SIZES)
def test_each_mode_rounds_a_share_to_a_neighbouring_whole_number(share: float, size: int) -> None:
    people = Fraction(share).limit_denominator(1_000_000) * size
    floor, ceil = math.floor(people), math.ceil(people)
    allowed = [most_allowed(share, size, m) for m in MODES]
    required = [fewest_required(share, size, m) for m in MODES]
    assert allowed == sorted(allowed) and required == sorted(required, reverse=True)
    assert (allowed[0], allowed[2], required[0], required[2]) == (floor, ceil, ceil, floor)
    half = Fraction(1, 2)
    assert abs(allowed[1] - people) <= half and abs(required[1] - people) <= half
    assert all(0 <= n <= size for n in allowed + required)


@given(share=SHARES, size=SIZES, more=st.integers(min_value=1, max_value=50))
def test_a_larger_unit_is_never_allowed_fewer_people(share: float, size: int, more: int) -> None:
    for mode in MODES:
        assert most_allowed(share, size + more, mode) >= most_allowed(share, size, mode)
        assert fewest_required(share, size + more, mode) >= fewest_required(share, size, mode)


# --- a unit against its curve --------------------------------------------------------------------


def broken(rating: UnitRating, grades: list[Grade], rounding: CurveRounding) -> list[list[Grade]]:
    return [v.grades for v in check_curve(rating, grades, NATIONAL_CURVE, rounding)]


@pytest.mark.parametrize(
    ("rating", "grades", "strict", "nearest", "lenient"),
    [
        # One Sangat Baik in an Istimewa unit of one: 100% against at most 70% (0.7 people).
        (U.ISTIMEWA, unit(sangat_baik=1), [[SB]], [], []),
        (U.ISTIMEWA, unit(sangat_baik=2, baik=1), [], [], []),
        (U.ISTIMEWA, unit(sangat_baik=3), [[SB]], [[SB]], []),
        # One Sangat Baik in a Butuh Perbaikan unit of 9, 10 and 11 (at most 10%).
        (U.BUTUH_PERBAIKAN, unit(sangat_baik=1, butuh_perbaikan=6, baik=2), [[SB]], [], []),
        (U.BUTUH_PERBAIKAN, unit(sangat_baik=1, butuh_perbaikan=6, baik=3), [], [], []),
        (U.BUTUH_PERBAIKAN, unit(sangat_baik=2, butuh_perbaikan=7, baik=2), [[SB]], [[SB]], []),
        (U.BUTUH_PERBAIKAN, unit(sangat_baik=1, butuh_perbaikan=7, baik=3), [], [], []),
        # A Kurang unit of 1 and of 2: at least 60% Kurang and at least 10% Butuh Perbaikan.
        (U.KURANG, unit(kurang=1), [[BP]], [], []),
        (U.KURANG, unit(kurang=1, butuh_perbaikan=1), [[KU]], [], []),
        (U.KURANG, unit(kurang=2), [[BP]], [], []),
        # ... of 3 (1.8 Kurang, 0.3 Butuh Perbaikan), of 9 (5.4 and 0.9), of 10 and 11.
        (U.KURANG, unit(kurang=2, butuh_perbaikan=1), [], [], []),
        (U.KURANG, unit(kurang=3), [[BP]], [], []),
        (U.KURANG, unit(kurang=5, butuh_perbaikan=1, baik=3), [[KU]], [], []),
        (U.KURANG, unit(kurang=9), [[BP]], [[BP]], []),
        (U.KURANG, unit(kurang=6, butuh_perbaikan=1, baik=3), [], [], []),
        (U.KURANG, unit(kurang=6, butuh_perbaikan=1, baik=4), [[KU], [BP]], [[KU]], []),
        # Sangat Kurang: no Sangat Baik in any mode, however small the unit.
        (U.SANGAT_KURANG, unit(sangat_kurang=1), [[BP, KU]], [], []),
        (
            U.SANGAT_KURANG,
            unit(sangat_kurang=1, sangat_baik=1),
            [[SK], [BP, KU], [SB]],
            [[SB]],
            [[SB]],
        ),
        # Baik: "at least one Butuh Perbaikan or Kurang" is a count in every mode.
        (U.BAIK, unit(baik=1), [[BA], [BP, KU]], [[BP, KU]], [[BP, KU]]),
        (U.BAIK, unit(butuh_perbaikan=1), [], [], []),
    ],
)
def test_small_units_at_their_boundaries(
    rating: UnitRating,
    grades: list[Grade],
    strict: list[list[Grade]],
    nearest: list[list[Grade]],
    lenient: list[list[Grade]],
) -> None:
    assert [broken(rating, grades, m) for m in MODES] == [strict, nearest, lenient]


@settings(max_examples=300, deadline=None)
@given(rated_units())
def test_a_unit_that_fits_strictly_fits_nearest_and_one_that_fits_nearest_fits_leniently(
    case: tuple[UnitRating, list[Grade]],
) -> None:
    rating, grades = case
    fits = [not broken(rating, grades, m) for m in MODES]
    assert fits == sorted(fits)  # False before True: fitting is never lost going more lenient


def compositions(size: int, parts: int) -> Iterator[tuple[int, ...]]:
    """Every way of splitting `size` people into `parts` ordered counts."""
    if parts == 1:
        yield (size,)
        return
    for first in range(size + 1):
        for rest in compositions(size - first, parts - 1):
            yield (first, *rest)


def fitting(rating: UnitRating, size: int, rounding: CurveRounding) -> list[Grade] | None:
    """A grading of a unit of `size` that fits its curve, if there is one: searched by counts
    against each rule's bounds in people, and confirmed by the curve's own check."""
    bounds = [
        (
            [list(Grade).index(g) for g in c.rule.grades],
            max(c.min_people or 0, c.rule.min_count or 0),
            size if c.max_people is None else c.max_people,
        )
        for c in rule_checks(rating, [SB] * size, NATIONAL_CURVE, rounding)
    ]
    for counts in compositions(size, len(Grade)):
        if all(low <= sum(counts[i] for i in at) <= high for at, low, high in bounds):
            grades = unit(**{g.value: n for g, n in zip(Grade, counts, strict=True)})
            assert not broken(rating, grades, rounding)
            return grades
    return None


def fittable(rating: UnitRating, size: int, rounding: CurveRounding) -> bool:
    return fitting(rating, size, rounding) is not None


@pytest.mark.parametrize("rounding", [NEAREST, LENIENT])
def test_a_unit_of_any_size_can_fit_the_national_curve(rounding: CurveRounding) -> None:
    for size in range(1, 21):
        for rating in UnitRating:
            assert fittable(rating, size, rounding), (rating, size)


def test_strictly_a_unit_of_one_or_two_rated_kurang_or_sangat_kurang_cannot_fit() -> None:
    # Why the presets do not round strictly: 60% and 10% rounded up ask for more than all.
    for size in (1, 2):
        for rating in UnitRating:
            small_and_low = rating in (U.KURANG, U.SANGAT_KURANG)
            assert fittable(rating, size, STRICT) is not small_and_low, (rating, size)
    assert all(fittable(rating, 3, STRICT) for rating in UnitRating)


# --- what the unit is told ----------------------------------------------------------------------


def test_a_violation_says_how_many_people_a_rounded_share_allows() -> None:
    grades = unit(sangat_baik=2, butuh_perbaikan=6, baik=1)
    (v,) = check_curve(U.BUTUH_PERBAIKAN, grades, NATIONAL_CURVE, NEAREST)
    assert (v.allowed_max_people, v.allowed_min_people, v.unit_size) == (1, None, 9)
    assert v.message == "sangat_baik: allowed at most 10% (1 of 9), actual 22%"
    (v,) = check_curve(U.KURANG, unit(kurang=9), NATIONAL_CURVE, NEAREST)
    assert v.message == "butuh_perbaikan: allowed at least 10% (1 of 9), actual 0%"


def test_a_share_of_whole_people_is_said_as_a_share_alone() -> None:
    grades = unit(sangat_baik=2, butuh_perbaikan=6, baik=2)
    (v,) = check_curve(U.BUTUH_PERBAIKAN, grades, NATIONAL_CURVE, NEAREST)
    assert v.allowed_max_people is None and v.unit_size == 10
    assert v.message == "sangat_baik: allowed at most 10%, actual 20%"


def test_a_violation_recorded_before_rounding_reads_as_it_was() -> None:
    recorded = {
        "grades": ["sangat_baik"],
        "allowed_min_share": None,
        "allowed_max_share": 0.7,
        "allowed_min_count": None,
        "actual_share": 0.8,
        "actual_count": 8,
    }
    v = Violation.model_validate(recorded)
    assert (v.allowed_max_people, v.unit_size) == (None, None)
    assert v.message == "sangat_baik: allowed at most 70%, actual 80%"


def test_each_rule_check_gives_its_people_only_where_the_share_is_rounded() -> None:
    checks = rule_checks(U.KURANG, unit(kurang=6, butuh_perbaikan=1, baik=2), NATIONAL_CURVE)
    assert [(c.min_people, c.max_people, c.rounded_min, c.rounded_max) for c in checks] == [
        (6, None, 6, None),  # at least 60% of 9: 5.4 people, 6 strictly
        (1, None, 1, None),  # at least 10% of 9: 0.9
        (None, 0, None, 0),  # at most 10% of 9: 0.9
    ]
    checks = rule_checks(U.KURANG, unit(kurang=6, butuh_perbaikan=1, baik=3), NATIONAL_CURVE)
    assert [(c.rounded_min, c.rounded_max) for c in checks] == [(None, None)] * 3
    assert not any(c.broken for c in checks)
