"""Weighing a second judgement into a rating: peers' scores into the supervisor's behaviour
rating, the process into a target's result. Both are placed on the peer survey's 1-5 scale,
where "meets" is 3, and the weighted score is read back as a rating."""

from __future__ import annotations

from appraisal_engine.domain.ratings import Rating

SCALE: dict[Rating, float] = {Rating.BELOW: 2.0, Rating.MEETS: 3.0, Rating.ABOVE: 4.0}
"""A rating on the survey's scale (1 far below .. 5 far above): one step either side of 3."""
ABOVE_FROM = 3.5
"""From here up a score is above expectation: the nearest rating, a half upwards."""
BELOW_UNDER = 2.5
"""A score under this is below expectation; exactly 2.5 still meets it."""


def weigh(first: float, second: float, weight: float) -> float:
    """`first` with `second` weighed in at `weight` (0: first alone, 1: second alone)."""
    # Rounded so that a score exactly on a threshold is not lost to binary fractions.
    return round((1 - weight) * first + weight * second, 6)


def rating_of(
    score: float, *, above_from: float = ABOVE_FROM, below_under: float = BELOW_UNDER
) -> Rating:
    """The rating a score on the 1-5 scale stands for."""
    if score >= above_from:
        return Rating.ABOVE
    if score < below_under:
        return Rating.BELOW
    return Rating.MEETS


def weigh_ratings(first: Rating, second: Rating, weight: float) -> Rating:
    """Two ratings weighed together, read back by the nearest rating, a half upwards."""
    return rating_of(weigh(SCALE[first], SCALE[second], weight))
