"""The distribution curve (kurva distribusi): a unit's rating bounds its employees' grades."""

from __future__ import annotations

from collections import Counter
from fractions import Fraction

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from appraisal_engine.domain.curve import (
    NATIONAL_CURVE,
    CurveRule,
    UnitRating,
    Violation,
    check_curve,
)
from appraisal_engine.domain.ratings import Grade

SB, BA, BP, KU, SK = (
    Grade.SANGAT_BAIK,
    Grade.BAIK,
    Grade.BUTUH_PERBAIKAN,
    Grade.KURANG,
    Grade.SANGAT_KURANG,
)
U = UnitRating


def unit(**counts: int) -> list[Grade]:
    """A unit's grades from counts, e.g. unit(sangat_baik=7, baik=3)."""
    return [Grade(name) for name, n in counts.items() for _ in range(n)]


def broken(rating: UnitRating, grades: list[Grade]) -> list[list[Grade]]:
    return [v.grades for v in check_curve(rating, grades)]


# --- each rule at its boundary ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("rating", "grades", "expected"),
    [
        # Istimewa: at most 70% Sangat Baik.
        (U.ISTIMEWA, unit(sangat_baik=7, baik=3), []),
        (U.ISTIMEWA, unit(sangat_baik=70, baik=30), []),
        (U.ISTIMEWA, unit(sangat_baik=71, baik=29), [[SB]]),
        (U.ISTIMEWA, unit(sangat_baik=8, baik=2), [[SB]]),
        (U.ISTIMEWA, unit(baik=5), []),
        # Baik: at most 70% Baik, at least one Butuh Perbaikan or Kurang, and at most 70%
        # Sangat Baik, as an Istimewa unit (the regulation names no cap for Baik; issue 18).
        (U.BAIK, unit(baik=7, butuh_perbaikan=1, sangat_baik=2), []),
        (U.BAIK, unit(baik=7, kurang=1, sangat_baik=2), []),
        (U.BAIK, unit(baik=70, kurang=1, sangat_baik=29), []),
        (U.BAIK, unit(baik=71, kurang=1, sangat_baik=28), [[BA]]),
        (U.BAIK, unit(baik=7, sangat_baik=3), [[BP, KU]]),
        (U.BAIK, unit(baik=7, sangat_kurang=1, sangat_baik=2), [[BP, KU]]),
        (U.BAIK, unit(baik=8, sangat_baik=2), [[BA], [BP, KU]]),
        (U.BAIK, unit(sangat_baik=70, baik=29, kurang=1), []),
        (U.BAIK, unit(sangat_baik=71, baik=28, kurang=1), [[SB]]),
        (U.BAIK, unit(sangat_baik=7, butuh_perbaikan=3), []),
        (U.BAIK, unit(sangat_baik=8, butuh_perbaikan=2), [[SB]]),
        (U.BAIK, unit(sangat_baik=9), [[BP, KU], [SB]]),
        # Butuh Perbaikan: at least 60% Butuh Perbaikan, at most 10% Sangat Baik.
        (U.BUTUH_PERBAIKAN, unit(butuh_perbaikan=6, baik=3, sangat_baik=1), []),
        (U.BUTUH_PERBAIKAN, unit(butuh_perbaikan=60, baik=30, sangat_baik=10), []),
        (U.BUTUH_PERBAIKAN, unit(butuh_perbaikan=59, baik=31, sangat_baik=10), [[BP]]),
        (U.BUTUH_PERBAIKAN, unit(butuh_perbaikan=60, baik=29, sangat_baik=11), [[SB]]),
        (U.BUTUH_PERBAIKAN, unit(butuh_perbaikan=5, sangat_baik=5), [[BP], [SB]]),
        # Kurang: at least 60% Kurang, at least 10% Butuh Perbaikan, at most 10% Sangat Baik.
        (U.KURANG, unit(kurang=6, butuh_perbaikan=1, sangat_baik=1, baik=2), []),
        (U.KURANG, unit(kurang=60, butuh_perbaikan=10, sangat_baik=10, baik=20), []),
        (U.KURANG, unit(kurang=59, butuh_perbaikan=10, sangat_baik=10, baik=21), [[KU]]),
        (U.KURANG, unit(kurang=60, butuh_perbaikan=9, sangat_baik=10, baik=21), [[BP]]),
        (U.KURANG, unit(kurang=60, butuh_perbaikan=10, sangat_baik=11, baik=19), [[SB]]),
        (U.KURANG, unit(kurang=7, sangat_kurang=3), [[BP]]),
        # Sangat Kurang: at least 60% Sangat Kurang, at least 10% Kurang or Butuh Perbaikan,
        # no Sangat Baik.
        (U.SANGAT_KURANG, unit(sangat_kurang=6, kurang=1, baik=3), []),
        (U.SANGAT_KURANG, unit(sangat_kurang=6, butuh_perbaikan=1, baik=3), []),
        (U.SANGAT_KURANG, unit(sangat_kurang=59, kurang=5, butuh_perbaikan=5, baik=31), [[SK]]),
        (U.SANGAT_KURANG, unit(sangat_kurang=60, kurang=5, butuh_perbaikan=4, baik=31), [[BP, KU]]),
        (U.SANGAT_KURANG, unit(sangat_kurang=6, kurang=1, baik=2, sangat_baik=1), [[SB]]),
        (U.SANGAT_KURANG, unit(sangat_kurang=60, kurang=39, sangat_baik=1), [[SB]]),
        (U.SANGAT_KURANG, unit(sangat_kurang=9, baik=1), [[BP, KU]]),
    ],
)
def test_curve_rule_boundaries(
    rating: UnitRating, grades: list[Grade], expected: list[list[Grade]]
) -> None:
    assert broken(rating, grades) == expected


def test_empty_unit_breaks_nothing() -> None:
    for rating in UnitRating:
        assert check_curve(rating, []) == []


def test_order_of_grades_does_not_matter() -> None:
    grades = unit(sangat_baik=8, baik=2)
    assert check_curve(U.ISTIMEWA, grades) == check_curve(U.ISTIMEWA, list(reversed(grades)))
    assert check_curve(U.ISTIMEWA, iter(grades)) == check_curve(U.ISTIMEWA, grades)


# --- what a violation says ----------------------------------------------------------------------


def test_max_share_violation_fields_and_message() -> None:
    (v,) = check_curve(U.ISTIMEWA, unit(sangat_baik=71, baik=29))
    assert v == Violation(
        grades=[SB],
        allowed_min_share=None,
        allowed_max_share=0.70,
        allowed_min_count=None,
        actual_share=0.71,
        actual_count=71,
        unit_size=100,  # 70% of 100 is 70 people: no count is added to the share
    )
    assert v.message == "sangat_baik: allowed at most 70%, actual 71%"


def test_min_share_violation_over_two_grades_lists_them_best_first() -> None:
    (v,) = check_curve(U.SANGAT_KURANG, unit(sangat_kurang=10, kurang=1, baik=1, sangat_baik=0))
    assert v.grades == [BP, KU]
    assert v.allowed_min_share == 0.10
    assert v.allowed_max_share is None
    assert v.allowed_min_count is None
    assert v.actual_count == 1
    assert v.actual_share == round(1 / 12, 4) == 0.0833
    # 10% of 12 is 1.2 people: the message says how many that comes to (2, strictly).
    assert (v.allowed_min_people, v.unit_size) == (2, 12)
    assert v.message == "butuh_perbaikan or kurang: allowed at least 10% (2 of 12), actual 8%"


def test_min_count_violation_states_the_count() -> None:
    violations = check_curve(U.BAIK, unit(baik=8, sangat_baik=2))
    assert [v.message for v in violations] == [
        "baik: allowed at most 70%, actual 80%",
        "butuh_perbaikan or kurang: allowed at least 1, actual 0 (0%)",
    ]
    count_rule = violations[1]
    assert (count_rule.allowed_min_count, count_rule.actual_count) == (1, 0)
    assert count_rule.actual_share == 0.0
    assert count_rule.allowed_min_share is None and count_rule.allowed_max_share is None


def test_no_sangat_baik_rule_reads_at_most_zero() -> None:
    (v,) = check_curve(U.SANGAT_KURANG, unit(sangat_kurang=15, kurang=4, sangat_baik=1))
    assert (v.allowed_max_share, v.actual_count, v.actual_share) == (0.0, 1, 0.05)
    assert v.message == "sangat_baik: allowed at most 0%, actual 5%"


def test_custom_curve_replaces_the_national_one() -> None:
    lenient = {U.ISTIMEWA: [CurveRule(grades=frozenset({SB}), max_share=0.9)]}
    grades = unit(sangat_baik=8, baik=2)
    assert check_curve(U.ISTIMEWA, grades, lenient) == []
    assert check_curve(U.BAIK, unit(baik=10), lenient) == []  # no rules for Baik there
    assert broken(U.ISTIMEWA, grades) == [[SB]]


def test_curve_rule_needs_a_bound_and_sane_shares() -> None:
    with pytest.raises(ValidationError, match="needs min_share, max_share or min_count"):
        CurveRule(grades=frozenset({SB}))
    with pytest.raises(ValidationError):
        CurveRule(grades=frozenset(), max_share=0.5)
    with pytest.raises(ValidationError):
        CurveRule(grades=frozenset({SB}), max_share=1.5)
    with pytest.raises(ValidationError):
        CurveRule(grades=frozenset({SB}), min_count=-1)


# --- the property ---------------------------------------------------------------------------------

PCT = Fraction(1, 100)


def oracle_broken(rating: UnitRating, grades: list[Grade]) -> list[list[Grade]]:
    """domain.md's curve, restated with exact fractions: the grade sets whose bound fails, in the
    order the rules are listed there (with Istimewa's cap on Sangat Baik for Baik too); each
    set best grade first."""
    n = len(grades)
    c = Counter(grades)

    def share(*gs: Grade) -> Fraction:
        return Fraction(sum(c[g] for g in gs), n)

    checks: list[tuple[list[Grade], bool]]
    if rating is U.ISTIMEWA:
        checks = [([SB], share(SB) <= 70 * PCT)]
    elif rating is U.BAIK:
        checks = [
            ([BA], share(BA) <= 70 * PCT),
            ([BP, KU], c[BP] + c[KU] >= 1),
            ([SB], share(SB) <= 70 * PCT),
        ]
    elif rating is U.BUTUH_PERBAIKAN:
        checks = [([BP], share(BP) >= 60 * PCT), ([SB], share(SB) <= 10 * PCT)]
    elif rating is U.KURANG:
        checks = [
            ([KU], share(KU) >= 60 * PCT),
            ([BP], share(BP) >= 10 * PCT),
            ([SB], share(SB) <= 10 * PCT),
        ]
    else:
        checks = [
            ([SK], share(SK) >= 60 * PCT),
            ([BP, KU], share(KU, BP) >= 10 * PCT),
            ([SB], c[SB] == 0),
        ]
    return [gs for gs, holds in checks if not holds]


DOMINANT = {U.ISTIMEWA: SB, U.BAIK: BA, U.BUTUH_PERBAIKAN: BP, U.KURANG: KU, U.SANGAT_KURANG: SK}


@st.composite
def rated_units(draw: st.DrawFn) -> tuple[UnitRating, list[Grade]]:
    """A unit rating and 1..60 grades with skewed counts; half the time the grade the rating's
    curve centres on is drawn first with at least half the unit, so that fitting units come up
    for every rating and not only breaking ones."""
    rating = draw(st.sampled_from(list(UnitRating)))
    size = draw(st.integers(min_value=1, max_value=60))
    order = draw(st.permutations(list(Grade)))
    left, grades = size, []
    if draw(st.booleans()):
        first = DOMINANT[rating]
        order = [first, *(g for g in order if g is not first)]
        k = draw(st.integers(min_value=size // 2, max_value=size))
        grades, left, order = [first] * k, size - k, order[1:]
    for g in order[:-1]:
        k = draw(st.integers(min_value=0, max_value=left))
        grades += [g] * k
        left -= k
    grades += [order[-1]] * left
    return rating, draw(st.permutations(grades))


@settings(max_examples=300, deadline=None)
@given(rated_units())
@example((U.ISTIMEWA, unit(sangat_baik=7, baik=3)))
@example((U.BAIK, unit(baik=7, kurang=1, sangat_baik=2)))
@example((U.BUTUH_PERBAIKAN, unit(butuh_perbaikan=6, baik=3, sangat_baik=1)))
@example((U.KURANG, unit(kurang=6, butuh_perbaikan=1, sangat_baik=1, baik=2)))
@example((U.SANGAT_KURANG, unit(sangat_kurang=6, kurang=1, baik=3)))
@example((U.SANGAT_KURANG, unit(sangat_kurang=3, butuh_perbaikan=1, baik=1)))
def test_check_curve_matches_the_rules_as_written(case: tuple[UnitRating, list[Grade]]) -> None:
    rating, grades = case
    expected = oracle_broken(rating, grades)
    violations = check_curve(rating, grades)
    assert (violations == []) == (expected == [])
    assert [v.grades for v in violations] == expected
    for v in violations:
        count = sum(1 for g in grades if g in v.grades)
        assert v.actual_count == count
        assert v.actual_share == round(count / len(grades), 4)


def test_national_curve_covers_every_unit_rating() -> None:
    assert set(NATIONAL_CURVE) == set(UnitRating)


def test_no_lower_rated_unit_allows_more_sangat_baik_than_a_higher_rated_one() -> None:
    caps = [
        min(
            (
                r.max_share
                for r in NATIONAL_CURVE[rating]
                if SB in r.grades and r.max_share is not None
            ),
            default=1.0,
        )
        for rating in UnitRating
    ]
    assert caps == [0.70, 0.70, 0.10, 0.10, 0.0]
