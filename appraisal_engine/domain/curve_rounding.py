"""How a share of a unit becomes a number of people: the curve's bounds are shares, but a
unit of 9 cannot have 0.9 of a Sangat Baik. The policy names the rule (`curve_rounding`)."""

from __future__ import annotations

import math
from enum import StrEnum
from fractions import Fraction


class CurveRounding(StrEnum):
    """How a share of a unit becomes a number of people where it is not a whole number of them
    (10% of 9 people is 0.9 of one)."""

    STRICT = "strict"
    """A share is never passed: the people allowed round down, those required round up (at
    most 10% of 9 allows none, at least 60% of 2 requires both). A policy that names no
    rounding has this, the rule of cycles launched before the setting existed."""
    NEAREST = "nearest"
    """The nearest whole number of people, a half in the employees' favour (at most 10% of 9
    or of 5 allows one, at least 10% of 5 requires none, at least 60% of 2 requires one)."""
    LENIENT = "lenient"
    """One person may tip a share: those allowed round up, those required down (at most 10% of
    11 allows two, at least 10% of 9 requires none)."""


def _people(share: float, size: int) -> Fraction:
    # Exact arithmetic: 0.7 * 10 is 7.000000000000001 in floats, which would round up.
    return Fraction(share).limit_denominator(1_000_000) * size


def whole(share: float, size: int) -> bool:
    """Whether `share` of a unit of `size` is a whole number of people (no rounding needed)."""
    return _people(share, size).denominator == 1


def most_allowed(share: float, size: int, rounding: CurveRounding) -> int:
    """The most people of a unit of `size` that a bound of "at most `share`" allows."""
    people = _people(share, size)
    if rounding is CurveRounding.STRICT:
        return math.floor(people)
    if rounding is CurveRounding.LENIENT:
        return math.ceil(people)
    return math.floor(people + Fraction(1, 2))


def fewest_required(share: float, size: int, rounding: CurveRounding) -> int:
    """The fewest people of a unit of `size` that a bound of "at least `share`" requires."""
    people = _people(share, size)
    if rounding is CurveRounding.STRICT:
        return math.ceil(people)
    if rounding is CurveRounding.LENIENT:
        return math.floor(people)
    return math.ceil(people - Fraction(1, 2))
