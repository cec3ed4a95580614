"""Periodic evaluation: the supervisor's rating at the end of each period, on the same matrix
as the year's review, and the rules by which the year's grade may follow the periods."""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum

from pydantic import Field

from appraisal_engine.domain.errors import DomainError
from appraisal_engine.domain.model import Value
from appraisal_engine.domain.ratings import Grade, Rating, grade_for


class PeriodRating(Value):
    """The supervisor's rating of one period's results and behaviour."""

    results: Rating
    behaviour: Rating

    @property
    def grade(self) -> Grade:
        """The period's grade from the matrix."""
        return grade_for(self.results, self.behaviour)


class YearGrade(StrEnum):
    """How the year's grade is reached."""

    FINAL_REVIEW = "final_review"  # the year-end review alone, as before periodic ratings
    WITH_PERIODS = "with_periods"  # the mean of the periods' grades and the review's


class PeriodicPolicy(Value):
    """Periodic ratings, and whether the year's grade follows them. Off by default: a cycle
    launched before these settings carries a policy without them and grades as it did."""

    rating_required: bool = Field(
        default=False, description="each period's feedback carries the supervisor's rating"
    )
    year_grade: YearGrade = Field(
        default=YearGrade.FINAL_REVIEW,
        description="final_review: the review's grade; with_periods: the mean with the periods'",
    )


SCALE: dict[Grade, int] = {
    Grade.SANGAT_BAIK: 5,
    Grade.BAIK: 4,
    Grade.BUTUH_PERBAIKAN: 3,
    Grade.KURANG: 2,
    Grade.SANGAT_KURANG: 1,
}
BY_SCORE = {v: k for k, v in SCALE.items()}


def year_grade(review: Grade, periods: Sequence[Grade], rule: YearGrade) -> Grade:
    """The year's grade under `rule`. With the periods it is the mean of every rated period's
    grade and the review's, each counted once on the five-step scale (Sangat Kurang 1 to
    Sangat Baik 5), rounded to the nearest step; a mean exactly between two steps takes the one
    nearer the review's. Without a rated period it is the review's."""
    if rule is YearGrade.FINAL_REVIEW or not periods:
        return review
    scores = [SCALE[g] for g in (*periods, review)]
    mean = sum(scores) / len(scores)
    low = int(mean)
    if mean - low > 0.5:
        step = low + 1
    elif mean - low < 0.5:
        step = low
    else:
        step = low + 1 if SCALE[review] > low else low
    return BY_SCORE[step]


def check_period_rating(rating: PeriodRating | None, rules: PeriodicPolicy) -> None:
    """A period's feedback carries a rating when the policy asks for one."""
    if rules.rating_required and rating is None:
        raise DomainError(
            "this policy asks for the period's rating of results and behaviour with the feedback",
            field="rating",
        )
