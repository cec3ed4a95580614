"""Tanjungbalai's rule: discipline and attendance, entered with each month's feedback, stand
beside the service targets as standards, met or below."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from appraisal_engine.domain.errors import DomainError
from appraisal_engine.domain.indicators import (
    IndicatorRules,
    PeriodIndicators,
    summarise_indicators,
)
from appraisal_engine.domain.policy import Policy
from appraisal_engine.domain.presets import PRESETS, preset
from appraisal_engine.domain.ratings import Grade, Rating, rate_results
from appraisal_engine.domain.reports import Feedback, check_feedback
from appraisal_engine.domain.review import assess_under
from appraisal_engine.simulator.scripted import PLAN, review

A, M, B = Rating.ABOVE, Rating.MEETS, Rating.BELOW
RULES = IndicatorRules(enabled=True, attendance_floor=95, breaches_allowed=2, min_periods=9)


def month(attendance: float, breaches: int = 0) -> PeriodIndicators:
    return PeriodIndicators(attendance=attendance, discipline_breaches=breaches)


def year(*entries: tuple[int, PeriodIndicators], rules: IndicatorRules = RULES):
    return summarise_indicators(dict(entries), periods=12, rules=rules)


def every_month(attendance: float, breaches_in_month_one: int = 0):
    return year(
        *[(m, month(attendance, breaches_in_month_one if m == 1 else 0)) for m in range(1, 13)]
    )


@pytest.mark.parametrize(("attendance", "rating"), [(100, M), (95, M), (94.99, B), (0, B)])
def test_attendance_meets_the_standard_from_its_floor(attendance: float, rating: Rating) -> None:
    s = every_month(attendance)
    assert s.rated and s.attendance == attendance and s.attendance_rating is rating


@pytest.mark.parametrize(("breaches", "rating"), [(0, M), (2, M), (3, B)])
def test_discipline_meets_the_standard_up_to_the_breaches_allowed(
    breaches: int, rating: Rating
) -> None:
    s = every_month(100, breaches_in_month_one=breaches)
    assert s.breaches == breaches and s.discipline_rating is rating


def test_a_missing_month_is_left_out_of_the_year() -> None:
    # Eleven months at 96%, month 5 never entered: the mean is of the eleven, not twelve.
    s = year(*[(m, month(96, 1 if m in (2, 9) else 0)) for m in range(1, 13) if m != 5])
    assert (s.entered, s.missing) == ([m for m in range(1, 13) if m != 5], [5])
    assert (s.attendance, s.breaches, s.rated) == (96.0, 2, True)
    assert (s.attendance_rating, s.discipline_rating) == (M, M)


def test_with_fewer_months_than_the_policy_needs_the_year_is_not_rated() -> None:
    nine = year(*[(m, month(50)) for m in range(1, 10)])
    assert nine.rated and nine.attendance_rating is B and nine.missing == [10, 11, 12]
    eight = year(*[(m, month(50)) for m in range(1, 9)])
    assert not eight.rated and eight.standards() == []
    assert eight.attendance == 50.0  # still shown to the appraiser
    none = year()
    assert not none.rated and none.attendance is None and none.missing == list(range(1, 13))


# --- the results rule with standards beside the targets ----------------------------------------


def rate(targets: list[tuple[Rating, bool]], standards: list[Rating]) -> Rating:
    return rate_results(targets, few_main_below_share=0.34, standards=standards)


MAINS_ABOVE = [(A, True), (A, True), (A, False)]


def test_met_standards_leave_the_results_as_they_were() -> None:
    assert rate(MAINS_ABOVE, [M, M]) is A
    # Meeting a standard is expected: it does not dilute "most above".
    assert rate([(A, True), (M, True)], []) is M
    assert rate([(A, True), (A, True)], [M, M]) is A


def test_one_standard_below_keeps_the_results_from_above() -> None:
    assert rate(MAINS_ABOVE, [B, M]) is M  # 1 of 4 mains below: "a few"
    assert rate(MAINS_ABOVE, [M, B]) is M


def test_both_standards_below_are_more_than_a_few() -> None:
    assert rate(MAINS_ABOVE, [B, B]) is B  # 2 of 4 mains below, over 34%


def test_no_standards_is_the_national_rule() -> None:
    assert rate(MAINS_ABOVE, []) is A


# --- under the policy --------------------------------------------------------------------------


def assess(p: Policy, summary, results: Rating = A, behaviour: Rating = A):
    return assess_under(
        p, review(results, behaviour), PLAN, None, unit_code="DISDIK", indicators=summary
    )


def test_tanjungbalai_grades_a_poor_attendance_down() -> None:
    p = preset("tanjungbalai")
    assert p.indicators == RULES
    good = assess(p, every_month(98))
    assert (good.results, good.grade, good.results_alone) == (A, Grade.SANGAT_BAIK, A)
    absent = assess(p, every_month(90))
    assert (absent.results, absent.grade, absent.results_alone) == (M, Grade.BAIK, A)
    both = assess(p, every_month(90, breaches_in_month_one=5))
    assert (both.results, both.grade) == (B, Grade.BUTUH_PERBAIKAN)
    unrated = assess(p, year(*[(m, month(0)) for m in range(1, 9)]))
    assert (unrated.results, unrated.results_alone) == (A, None)
    assert unrated.indicators is not None and not unrated.indicators.rated


def test_a_policy_without_indicators_ignores_them() -> None:
    a = assess(PRESETS["national"], every_month(0))
    assert a.results is A and a.indicators is None and a.results_alone is None


def test_feedback_carries_them_exactly_where_the_policy_keeps_them() -> None:
    with_them = Feedback(comment="Baik", indicators=month(97, 1))
    check_feedback(with_them, indicators=True)
    with pytest.raises(DomainError, match="needs the period's attendance") as e:
        check_feedback(Feedback(comment="Baik"), indicators=True)
    assert e.value.field == "indicators"
    with pytest.raises(DomainError, match="keeps no discipline and attendance") as e:
        check_feedback(with_them, indicators=False)
    check_feedback(Feedback(comment="Baik"), indicators=False)


@pytest.mark.parametrize(
    "bad",
    [
        {"attendance": -0.01, "discipline_breaches": 0},
        {"attendance": 100.01, "discipline_breaches": 0},
        {"attendance": 90, "discipline_breaches": -1},
        {"attendance": 90, "discipline_breaches": 1.5},
        {"attendance": 90},
    ],
)
def test_bad_indicators_are_refused(bad: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        PeriodIndicators.model_validate(bad)


@pytest.mark.parametrize("bounds", [(0, 0, 1), (100, 100, 12)])
def test_the_rules_take_their_bounds(bounds: tuple[float, int, int]) -> None:
    floor, allowed, periods = bounds
    rules = IndicatorRules(
        enabled=True, attendance_floor=floor, breaches_allowed=allowed, min_periods=periods
    )
    assert (rules.attendance_floor, rules.breaches_allowed, rules.min_periods) == bounds


@pytest.mark.parametrize(
    ("field", "value"), [("attendance_floor", 100.5), ("breaches_allowed", -1), ("min_periods", 0)]
)
def test_bad_rules_are_refused_by_name(field: str, value: float) -> None:
    with pytest.raises(ValidationError, match=f"indicators.{field}"):
        Policy.model_validate(
            {"name": "uji", "title": "uji", "indicators": {"enabled": True, field: value}}
        )


def test_a_policy_stored_without_indicators_keeps_none() -> None:
    stored = Policy.model_validate({"name": "lama", "title": "lama"})
    assert not stored.indicators.enabled
    assert {n for n, p in PRESETS.items() if p.indicators.enabled} == {"tanjungbalai"}


def test_a_year_needs_no_more_periods_than_it_has() -> None:
    base = {"name": "uji", "title": "uji", "indicators": {"enabled": True, "min_periods": 4}}
    assert Policy.model_validate(base).indicators.min_periods == 4  # quarterly: all four
    with pytest.raises(ValidationError, match="cannot exceed the 4 report periods"):
        Policy.model_validate({**base, "indicators": {"enabled": True, "min_periods": 5}})
    monthly = {
        **base,
        "report_period": "monthly",
        "indicators": {"enabled": True, "min_periods": 12},
    }
    assert Policy.model_validate(monthly).indicators.min_periods == 12
