"""Periodic evaluation: a period's grade from the same matrix, and the year's grade from the
periods and the review under each rule, at the rounding's edges."""

from __future__ import annotations

import pytest

from appraisal_engine.domain.errors import DomainError
from appraisal_engine.domain.periodic import (
    PeriodicPolicy,
    PeriodRating,
    YearGrade,
    check_period_rating,
    year_grade,
)
from appraisal_engine.domain.policy import Policy
from appraisal_engine.domain.presets import PRESETS
from appraisal_engine.domain.ratings import Grade, Rating, grade_for

G = Grade
WITH = YearGrade.WITH_PERIODS


@pytest.mark.parametrize("results", list(Rating))
@pytest.mark.parametrize("behaviour", list(Rating))
def test_a_periods_grade_is_the_matrix_cell(results: Rating, behaviour: Rating) -> None:
    assert PeriodRating(results=results, behaviour=behaviour).grade is grade_for(results, behaviour)


def test_the_final_review_rule_ignores_the_periods() -> None:
    assert year_grade(G.BAIK, [G.SANGAT_KURANG] * 4, YearGrade.FINAL_REVIEW) is G.BAIK


def test_without_a_rated_period_the_review_decides() -> None:
    assert year_grade(G.KURANG, [], WITH) is G.KURANG


@pytest.mark.parametrize(
    ("periods", "review", "year"),
    [
        ([G.SANGAT_BAIK] * 4, G.BAIK, G.SANGAT_BAIK),  # 4.8: up
        ([G.BAIK] * 4, G.SANGAT_BAIK, G.BAIK),  # 4.2: down
        ([G.BAIK], G.SANGAT_BAIK, G.SANGAT_BAIK),  # 4.5: toward the review, up
        ([G.SANGAT_BAIK], G.BAIK, G.BAIK),  # 4.5: toward the review, down
        ([G.BAIK, G.BAIK, G.BAIK], G.SANGAT_KURANG, G.BUTUH_PERBAIKAN),  # 3.25
        ([G.SANGAT_KURANG, G.SANGAT_BAIK], G.BUTUH_PERBAIKAN, G.BUTUH_PERBAIKAN),  # exactly 3
        ([G.BAIK, G.KURANG, G.KURANG], G.BAIK, G.BUTUH_PERBAIKAN),  # 3.0
    ],
)
def test_with_periods_the_mean_rounds_to_the_nearest_step(
    periods: list[Grade], review: Grade, year: Grade
) -> None:
    assert year_grade(review, periods, WITH) is year


def test_a_rating_is_required_only_where_the_policy_asks() -> None:
    check_period_rating(None, PeriodicPolicy())
    with pytest.raises(DomainError) as err:
        check_period_rating(None, PeriodicPolicy(rating_required=True))
    assert err.value.field == "rating"
    rated = PeriodRating(results=Rating.MEETS, behaviour=Rating.ABOVE)
    check_period_rating(rated, PeriodicPolicy(rating_required=True))


def test_stored_policies_and_every_preset_grade_as_before() -> None:
    stored = Policy.model_validate({"name": "old", "title": "launched before periodic ratings"})
    assert stored.periodic == PeriodicPolicy()
    assert stored.periodic.year_grade is YearGrade.FINAL_REVIEW
    for name, policy in PRESETS.items():
        assert policy.periodic == PeriodicPolicy(), name
