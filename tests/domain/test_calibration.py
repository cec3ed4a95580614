"""Calibrating a unit: adjustments applied, the curve checked, the unreleased grades listed."""

from __future__ import annotations

import pytest

from appraisal_engine.domain.calibration import (
    CALIBRATED,
    Adjustment,
    ReleasedGrade,
    UnitGrade,
    calibrate_unit,
)
from appraisal_engine.domain.curve import NATIONAL_CURVE, UnitRating
from appraisal_engine.domain.curve_rounding import CurveRounding
from appraisal_engine.domain.errors import DomainError
from appraisal_engine.domain.ratings import Grade

SB, BA, BP = Grade.SANGAT_BAIK, Grade.BAIK, Grade.BUTUH_PERBAIKAN


def grades(*computed: Grade, released: dict[int, Grade] | None = None) -> list[UnitGrade]:
    released = released or {}
    return [
        UnitGrade(appraisal_id=f"a{i}", grade_computed=g, grade_final=released.get(i))
        for i, g in enumerate(computed)
    ]


def adjust(i: int, grade: Grade, reason: str = "capaian melampaui target") -> Adjustment:
    return Adjustment(appraisal_id=f"a{i}", grade=grade, reason=reason)


def test_without_adjustments_the_computed_grades_are_released_as_calibrated() -> None:
    result = calibrate_unit("U1", grades(BA, BA, BA), [], UnitRating.ISTIMEWA, NATIONAL_CURVE)
    assert result.violations == []
    assert result.releases == [
        ReleasedGrade(appraisal_id=f"a{i}", grade=BA, adjusted=False, reason=CALIBRATED)
        for i in range(3)
    ]


def test_an_adjustment_replaces_the_computed_grade_with_its_reason() -> None:
    result = calibrate_unit(
        "U1",
        grades(BA, BA, BA),
        [adjust(1, BP, "di bawah ekspektasi")],
        UnitRating.BAIK,
        NATIONAL_CURVE,
    )
    assert result.releases[1] == ReleasedGrade(
        appraisal_id="a1", grade=BP, adjusted=True, reason="di bawah ekspektasi"
    )
    assert [r.adjusted for r in result.releases] == [False, True, False]


def test_released_grades_count_for_the_curve_but_are_not_released_again() -> None:
    unit = grades(BA, BA, BA, released={0: SB})
    result = calibrate_unit("U1", unit, [], UnitRating.BAIK, NATIONAL_CURVE)
    assert [r.appraisal_id for r in result.releases] == ["a1", "a2"]
    # The curve weighs the released grade, not the computed one it replaced.
    expected = calibrate_unit("U1", grades(SB, BA, BA), [], UnitRating.BAIK, NATIONAL_CURVE)
    computed = calibrate_unit("U1", grades(BA, BA, BA), [], UnitRating.BAIK, NATIONAL_CURVE)
    assert result.violations == expected.violations != computed.violations


def test_grades_that_break_the_curve_are_reported() -> None:
    everyone_top = grades(*[SB] * 10)
    result = calibrate_unit("U1", everyone_top, [], UnitRating.KURANG, NATIONAL_CURVE)
    assert result.violations
    assert len(result.releases) == 10  # the workflow releases none of them while it breaks


def test_the_policys_rounding_decides_a_small_unit() -> None:
    # An Istimewa unit of one whose one employee is Sangat Baik: 100% against at most 70%,
    # which is 0.7 of a person; strictly none may be, to the nearest person one may.
    alone = grades(SB)
    strict = calibrate_unit("U1", alone, [], UnitRating.ISTIMEWA, NATIONAL_CURVE)
    assert [v.grades for v in strict.violations] == [[SB]]
    assert strict == calibrate_unit(
        "U1", alone, [], UnitRating.ISTIMEWA, NATIONAL_CURVE, CurveRounding.STRICT
    )
    nearest = calibrate_unit(
        "U1", alone, [], UnitRating.ISTIMEWA, NATIONAL_CURVE, CurveRounding.NEAREST
    )
    assert nearest.violations == [] and nearest.releases == strict.releases


def test_an_adjustment_to_an_appraisal_not_awaiting_calibration_is_refused() -> None:
    with pytest.raises(DomainError) as refused:
        calibrate_unit("U1", grades(BA), [adjust(7, SB)], UnitRating.BAIK, NATIONAL_CURVE)
    assert refused.value.field == "adjustments"
    assert refused.value.reason == "not awaiting calibration in U1: ['a7']"


def test_an_adjustment_to_a_released_grade_is_refused() -> None:
    unit = grades(BA, BA, released={0: BA})
    with pytest.raises(DomainError) as refused:
        calibrate_unit("U1", unit, [adjust(0, SB)], UnitRating.BAIK, NATIONAL_CURVE)
    assert refused.value.field == "adjustments"
    assert refused.value.reason == "already released: ['a0']"


def test_a_released_grade_reads_the_positional_form_of_older_histories() -> None:
    old = ["appraisal-x-1", "sangat_baik", True, "capaian melampaui target"]
    assert ReleasedGrade.model_validate(old) == ReleasedGrade(
        appraisal_id="appraisal-x-1", grade=SB, adjusted=True, reason="capaian melampaui target"
    )
    assert ReleasedGrade.model_validate(tuple(old)) == ReleasedGrade.model_validate(old)
