"""The order of the unit ratings' curves: a lower-rated unit never allows more Sangat Baik than
a higher-rated one. Checked where a policy comes in (a policy file, a launch), not on a policy a
running cycle carries, whose curve stays as it was launched."""

from __future__ import annotations

from collections.abc import Mapping
from itertools import pairwise

from appraisal_engine.domain.curve import CurveRule, UnitRating
from appraisal_engine.domain.errors import DomainError, Filler, Wording
from appraisal_engine.domain.ratings import Grade

UNBOUNDED = (
    "a unit rated %(lower)s has no bound on Sangat Baik, while one rated %(higher)s may have "
    "at most %(cap)s: a lower-rated unit may not allow more Sangat Baik than a higher-rated one"
)
LOOSER = (
    "a unit rated %(lower)s may have up to %(lower_cap)s Sangat Baik, while one rated "
    "%(higher)s may have at most %(cap)s: a lower-rated unit may not allow more Sangat Baik "
    "than a higher-rated one"
)


def sangat_baik_caps(curve: Mapping[UnitRating, list[CurveRule]]) -> dict[UnitRating, float]:
    """The largest share of Sangat Baik each rating's curve allows (1.0 where none is set)."""
    return {
        rating: min(
            (
                r.max_share
                for r in curve.get(rating, [])
                if Grade.SANGAT_BAIK in r.grades and r.max_share is not None
            ),
            default=1.0,
        )
        for rating in UnitRating
    }


def _percent(share: float) -> str:
    return f"{round(share * 100, 2):g}%"


def check_curve_order(curve: Mapping[UnitRating, list[CurveRule]]) -> None:
    """A lower-rated unit never allows more Sangat Baik than a higher-rated one. PermenPAN-RB
    6/2022 allows at most 70% for Istimewa, 10% for Butuh Perbaikan and Kurang, and none for
    Sangat Kurang; for Baik it names no cap, so Baik may have no more than Istimewa. Raises
    DomainError (field `curve`) naming each pair of ratings out of order."""
    caps = sangat_baik_caps(curve)
    parts = []
    for higher, lower in pairwise(UnitRating):  # best first
        if caps[lower] <= caps[higher] + 1e-9:
            continue
        values: dict[str, Filler] = {
            "lower": lower.label,
            "higher": higher.label,
            "cap": _percent(caps[higher]),
        }
        if caps[lower] >= 1.0:
            parts.append(Wording(UNBOUNDED, values))
        else:
            parts.append(Wording(LOOSER, {**values, "lower_cap": _percent(caps[lower])}))
    if parts:
        joined = Wording.join("; ", parts)
        raise DomainError(joined.template, field="curve", values=joined.values)
