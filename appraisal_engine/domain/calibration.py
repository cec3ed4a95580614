"""Calibrating a unit: HR's adjustments applied to its computed grades, checked against the
distribution curve, and the grades that calibration then releases."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import Field, model_validator

from appraisal_engine.domain.curve import CurveRule, UnitRating, Violation, check_curve
from appraisal_engine.domain.curve_rounding import CurveRounding
from appraisal_engine.domain.errors import DomainError
from appraisal_engine.domain.model import Value
from appraisal_engine.domain.ratings import Grade

# The reason a released grade carries when HR did not adjust it.
CALIBRATED = "calibrated"


class UnitGrade(Value):
    """One appraisal of a unit as calibration sees it."""

    appraisal_id: str
    grade_computed: Grade
    grade_final: Grade | None


class Adjustment(Value):
    """HR changes one appraisal's grade during calibration, with a reason."""

    appraisal_id: str
    grade: Grade
    reason: str = Field(min_length=5, max_length=1000)


class ReleasedGrade(Value):
    """The final grade calibration releases to one appraisal."""

    appraisal_id: str
    grade: Grade
    adjusted: bool
    reason: str

    @model_validator(mode="before")
    @classmethod
    def _from_positional(cls, data: Any) -> Any:
        # Histories recorded before this model carry `[appraisal id, grade, adjusted, reason]`.
        if isinstance(data, list | tuple) and len(data) == 4:
            return dict(zip(("appraisal_id", "grade", "adjusted", "reason"), data, strict=True))
        return data


class UnitCalibration(Value):
    """The curve's verdict on a unit's final grades, and the grades to release if it fits."""

    violations: list[Violation]
    releases: list[ReleasedGrade]


def calibrate_unit(
    unit_code: str,
    grades: Sequence[UnitGrade],
    adjustments: Sequence[Adjustment],
    unit_rating: UnitRating,
    curve: Mapping[UnitRating, list[CurveRule]],
    rounding: CurveRounding = CurveRounding.STRICT,
) -> UnitCalibration:
    """Apply the adjustments, check the unit's final grades against its curve (its shares
    turned into people by `rounding`), and list the grades not yet released. Raises
    DomainError (field `adjustments`) for an adjustment to an appraisal not awaiting
    calibration or already released."""
    by_id = {g.appraisal_id: g for g in grades}
    changes = {a.appraisal_id: a for a in adjustments}
    unknown = sorted(set(changes) - set(by_id))
    if unknown:
        raise DomainError(
            f"not awaiting calibration in {unit_code}: {unknown}", field="adjustments"
        )
    late = sorted(i for i in changes if by_id[i].grade_final is not None)
    if late:
        raise DomainError(f"already released: {late}", field="adjustments")
    final = {
        g.appraisal_id: changes[g.appraisal_id].grade
        if g.appraisal_id in changes
        else g.grade_final or g.grade_computed
        for g in grades
    }
    releases = [
        ReleasedGrade(
            appraisal_id=g.appraisal_id,
            grade=final[g.appraisal_id],
            adjusted=g.appraisal_id in changes,
            reason=changes[g.appraisal_id].reason if g.appraisal_id in changes else CALIBRATED,
        )
        for g in grades
        if g.grade_final is None
    ]
    violations = check_curve(unit_rating, final.values(), curve, rounding)
    return UnitCalibration(violations=violations, releases=releases)
