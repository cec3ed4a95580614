"""The grade matrix and the work-results / behaviour rating rules."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from appraisal_engine.domain.ratings import (
    GRADE_MATRIX,
    Grade,
    Rating,
    grade_for,
    rate_behaviour,
    rate_results,
)

A, M, B = Rating.ABOVE, Rating.MEETS, Rating.BELOW
SB, BA, BP, KU, SK = (
    Grade.SANGAT_BAIK,
    Grade.BAIK,
    Grade.BUTUH_PERBAIKAN,
    Grade.KURANG,
    Grade.SANGAT_KURANG,
)

# domain.md, "Grade": rows are work results, columns behaviour.
TABLE = [
    (A, B, KU),  # misconduct
    (A, M, BA),
    (A, A, SB),
    (M, B, KU),  # misconduct
    (M, M, BA),
    (M, A, BA),
    (B, B, SK),
    (B, M, BP),
    (B, A, BP),
]

# Best first; a larger number is a worse grade.
BADNESS = {SB: 0, BA: 1, BP: 2, KU: 3, SK: 4}
LEVEL = {B: 0, M: 1, A: 2}


@pytest.mark.parametrize(("results", "behaviour", "grade"), TABLE)
def test_grade_matrix_cell(results: Rating, behaviour: Rating, grade: Grade) -> None:
    assert grade_for(results, behaviour) is grade


def test_grade_matrix_has_exactly_the_nine_cells() -> None:
    assert {(r, b): g for r, b, g in TABLE} == GRADE_MATRIX


ratings = st.sampled_from(list(Rating))


@settings(max_examples=200, deadline=None)
@given(ratings, ratings, ratings, ratings)
def test_grade_is_total_and_monotone_in_each_axis(
    r1: Rating, b1: Rating, r2: Rating, b2: Rating
) -> None:
    g1, g2 = grade_for(r1, b1), grade_for(r2, b2)
    assert isinstance(g1, Grade) and isinstance(g2, Grade)
    if LEVEL[r2] >= LEVEL[r1] and LEVEL[b2] >= LEVEL[b1]:
        assert BADNESS[g2] <= BADNESS[g1]


@pytest.mark.parametrize("results", [A, M])
def test_misconduct_column_outranks_good_results(results: Rating) -> None:
    # Behaviour below is misconduct: good results cannot lift it above Kurang, which is worse
    # than the Butuh Perbaikan that weak results with acceptable behaviour earn.
    assert grade_for(results, B) is KU
    assert BADNESS[grade_for(results, B)] > BADNESS[grade_for(B, M)]
    assert BADNESS[grade_for(results, B)] > BADNESS[grade_for(B, A)]


# --- rate_results -------------------------------------------------------------------------------

MAIN, EXTRA = True, False


@pytest.mark.parametrize(
    ("items", "share", "expected"),
    [
        pytest.param([(A, MAIN)], 0.34, A, id="single-above"),
        pytest.param([(M, MAIN)], 0.34, M, id="single-meets"),
        pytest.param([(B, MAIN)], 0.34, B, id="single-below"),
        pytest.param([(A, MAIN), (A, MAIN), (A, MAIN)], 0.34, A, id="all-above"),
        pytest.param([(A, MAIN), (A, MAIN), (M, MAIN)], 0.34, A, id="most-above"),
        pytest.param(
            [(A, MAIN), (A, MAIN), (M, MAIN), (M, MAIN)], 0.34, M, id="half-above-not-most"
        ),
        pytest.param([(A, MAIN), (M, EXTRA)], 0.34, M, id="one-of-two-above-not-most"),
        pytest.param(
            [(A, MAIN), (A, MAIN), (A, MAIN), (B, MAIN)], 0.34, M, id="one-main-below-blocks-above"
        ),
        pytest.param(
            [(A, MAIN), (A, MAIN), (A, EXTRA), (B, EXTRA)], 0.0, A, id="extra-below-no-block"
        ),
        pytest.param(
            [(A, MAIN), (A, EXTRA), (A, EXTRA), (B, EXTRA), (B, EXTRA)], 0.34, A, id="extras-below"
        ),
        pytest.param([(M, MAIN), (M, MAIN), (B, EXTRA)], 0.0, M, id="most-meet"),
        pytest.param([(M, MAIN), (B, EXTRA)], 0.34, B, id="half-meet-not-most"),
        pytest.param([(M, MAIN), (M, MAIN), (B, MAIN), (B, MAIN)], 1.0, B, id="half-meet-share-1"),
        pytest.param(
            [(A, MAIN), (A, MAIN), (A, MAIN), (B, MAIN)], 0.25, M, id="few-at-boundary-meets"
        ),
        pytest.param(
            [(A, MAIN), (A, MAIN), (A, MAIN), (B, MAIN)], 0.24, B, id="few-just-over-boundary"
        ),
        pytest.param(
            [(A, MAIN), (A, MAIN), (B, MAIN), (B, MAIN)] + [(M, EXTRA)] * 4,
            0.34,
            B,
            id="two-of-four-mains-not-few",
        ),
        pytest.param(
            [(A, MAIN), (A, MAIN), (B, MAIN), (B, MAIN)] + [(M, EXTRA)] * 4,
            0.5,
            M,
            id="two-of-four-mains-few-at-half",
        ),
        pytest.param(
            [(M, MAIN), (M, MAIN), (B, MAIN)], 0.34, M, id="one-of-three-under-default-share"
        ),
        pytest.param([(M, MAIN), (M, MAIN), (B, MAIN)], 0.33, B, id="one-of-three-over-0.33"),
        pytest.param([(B, MAIN), (M, EXTRA), (M, EXTRA)], 1.0, M, id="sole-main-below-share-1"),
        pytest.param([(B, MAIN), (M, EXTRA), (M, EXTRA)], 0.99, B, id="sole-main-below"),
        pytest.param([(M, EXTRA), (M, EXTRA), (B, EXTRA)], 0.0, M, id="no-mains-at-all"),
        pytest.param([(A, EXTRA), (A, EXTRA), (B, EXTRA)], 0.0, A, id="no-mains-most-above"),
    ],
)
def test_rate_results_rule(
    items: list[tuple[Rating, bool]], share: float, expected: Rating
) -> None:
    assert rate_results(items, few_main_below_share=share) is expected


def test_rate_results_accepts_any_iterable_and_needs_one_target() -> None:
    assert rate_results(iter([(A, MAIN), (A, EXTRA)]), few_main_below_share=0.34) is A
    with pytest.raises(ValueError, match="at least one"):
        rate_results([], few_main_below_share=0.34)


def oracle_results(items: list[tuple[Rating, bool]], share: float) -> Rating:
    """domain.md, restated: "above" when most or all results are above and no main result is
    below; "meets" when most or all meet and only a few main results fall below; "below" otherwise.
    A result above expectation also meets it; "a few" is at most `share` of the main results."""
    total = len(items)
    most = Fraction(1, 2)
    n_above = len([r for r, _ in items if r == Rating.ABOVE])
    n_meet = len([r for r, _ in items if r in (Rating.ABOVE, Rating.MEETS)])
    main_ratings = [r for r, is_main in items if is_main]
    main_below = main_ratings.count(Rating.BELOW)
    if Fraction(n_above, total) > most and main_below == 0:
        return Rating.ABOVE
    only_a_few = main_below == 0 or main_below / len(main_ratings) <= share
    if Fraction(n_meet, total) > most and only_a_few:
        return Rating.MEETS
    return Rating.BELOW


target_items = st.lists(st.tuples(ratings, st.booleans()), min_size=1, max_size=30)
shares = st.one_of(
    st.sampled_from([0.0, 0.1, 0.2, 0.25, 1 / 3, 0.34, 0.5, 2 / 3, 1.0]),
    st.floats(min_value=0, max_value=1, allow_nan=False),
)


@settings(max_examples=300, deadline=None)
@given(target_items, shares)
@example([(A, MAIN), (A, MAIN), (B, EXTRA), (B, EXTRA)], 0.34)  # half above, half meet: below
@example([(A, MAIN), (A, MAIN), (A, MAIN), (B, MAIN)], 0.25)
@example([(B, MAIN), (B, MAIN), (M, MAIN), (A, MAIN), (A, MAIN), (A, MAIN)], 1 / 3)
def test_rate_results_matches_the_prose_rule(
    items: list[tuple[Rating, bool]], share: float
) -> None:
    assert rate_results(items, few_main_below_share=share) is oracle_results(items, share)


@settings(max_examples=200, deadline=None)
@given(st.lists(ratings, min_size=1, max_size=7), shares)
def test_rate_behaviour_treats_every_dimension_as_main(values: list[Rating], share: float) -> None:
    expected = oracle_results([(r, True) for r in values], share)
    assert rate_behaviour(values, few_below_share=share) is expected


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ([A] * 7, A),
        ([A] * 4 + [M] * 3, A),
        ([A] * 6 + [B], M),  # one value below blocks "above"
        ([A] * 3 + [M] * 4, M),
        ([M] * 5 + [B] * 2, M),  # 2/7 below is "a few" under 0.34
        ([M] * 4 + [B] * 3, B),  # 3/7 is not
        ([B] * 7, B),
    ],
)
def test_rate_behaviour_examples(values: list[Rating], expected: Rating) -> None:
    assert rate_behaviour(values, few_below_share=0.34) is expected
