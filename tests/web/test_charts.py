"""The dashboard's charts as numbers: stacked bars that fill their width in the year's (or the
grades') order, and each curve rule marked broken exactly where the domain says so."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from itertools import pairwise
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from appraisal_engine.domain.curve import UnitRating, check_curve
from appraisal_engine.domain.curve_rounding import CurveRounding
from appraisal_engine.domain.presets import NATIONAL
from appraisal_engine.domain.ratings import Grade
from appraisal_engine.domain.stages import Stage
from appraisal_engine.web.charts import GRADES, STAGES, stacked, unit_chart
from appraisal_engine.web.i18n import translations
from appraisal_engine.web.render import context, environment
from appraisal_engine.workflows.cycle_messages import UnitProgress
from tests.web.test_templates import request


def test_parts_with_none_are_left_out_and_the_rest_laid_side_by_side() -> None:
    segments = stacked(STAGES, {Stage.REVIEW: 1, Stage.TARGETS: 3, Stage.MONITORING: 0})
    assert [(s.part, s.count, s.x, s.width) for s in segments] == [
        (Stage.TARGETS, 3, 0.0, 75.0),
        (Stage.REVIEW, 1, 75.0, 25.0),
    ]
    assert stacked(GRADES, {}) == []


@given(st.dictionaries(st.sampled_from(GRADES), st.integers(min_value=0, max_value=10_000)))
def test_a_stacked_bar_fills_its_width_in_order(counts: dict[Grade, int]) -> None:
    segments = stacked(GRADES, counts)
    assert [s.part for s in segments] == [g for g in GRADES if counts.get(g)]
    if segments:
        last = segments[-1]
        assert abs(last.x + last.width - 100) < 0.01
        for before, after in pairwise(segments):
            assert abs(before.x + before.width - after.x) < 0.01


def test_a_unit_over_its_curve_has_the_broken_rule_marked() -> None:
    progress = UnitProgress(total=10, stages={Stage.CALIBRATION: 10}, unit_rating=UnitRating.BAIK)
    fitting = {Grade.SANGAT_BAIK: 3, Grade.BAIK: 6, Grade.BUTUH_PERBAIKAN: 1}
    fits = unit_chart("U1", progress, fitting, NATIONAL.curve)
    over = unit_chart("U1", progress, {Grade.BAIK: 10}, NATIONAL.curve)
    assert len(fits.rules) == 3 and not any(r.broken for r in fits.rules)
    # At most 70% Baik, at least one below it, and at most 70% Sangat Baik (as an Istimewa
    # unit, issue 18): ten Baik break the first two.
    assert [(r.grades, r.count, r.broken) for r in over.rules] == [
        ([Grade.BAIK], 10, True),
        ([Grade.BUTUH_PERBAIKAN, Grade.KURANG], 0, True),
        ([Grade.SANGAT_BAIK], 0, False),
    ]
    assert [s.part for s in fits.graded] == [Grade.SANGAT_BAIK, Grade.BAIK, Grade.BUTUH_PERBAIKAN]
    assert over.in_calibration == 10 and over.awaiting_review == 0


def test_no_rules_before_the_unit_is_rated() -> None:
    progress = UnitProgress(total=2, stages={Stage.REVIEW: 2})
    chart = unit_chart("U1", progress, {}, NATIONAL.curve)
    assert chart.rules == [] and chart.graded == [] and chart.awaiting_review == 2


NINE = {Grade.SANGAT_BAIK: 1, Grade.BUTUH_PERBAIKAN: 6, Grade.BAIK: 2}  # a unit of nine


def test_a_rule_shows_the_people_its_share_comes_to_by_the_policys_rounding() -> None:
    progress = UnitProgress(
        total=9, stages={Stage.CALIBRATION: 9}, unit_rating=UnitRating.BUTUH_PERBAIKAN
    )
    strict = unit_chart("U1", progress, NINE, NATIONAL.curve)
    nearest = unit_chart("U1", progress, NINE, NATIONAL.curve, NATIONAL.curve_rounding)
    # At least 60% Butuh Perbaikan of nine is 5.4 people; at most 10% Sangat Baik is 0.9.
    assert [(r.min_people, r.max_people, r.size, r.broken) for r in strict.rules] == [
        (6, None, 9, False),
        (None, 0, 9, True),
    ]
    assert [(r.min_people, r.max_people, r.broken) for r in nearest.rules] == [
        (5, None, False),
        (None, 1, False),
    ]
    # The broken mark is the domain's own verdict, in either rounding.
    for rounding, chart in ((CurveRounding.STRICT, strict), (CurveRounding.NEAREST, nearest)):
        verdict = check_curve(
            UnitRating.BUTUH_PERBAIKAN, Counter(NINE).elements(), NATIONAL.curve, rounding
        )
        assert [r.grades for r in chart.rules if r.broken] == [v.grades for v in verdict]


def test_a_share_of_whole_people_shows_no_count() -> None:
    progress = UnitProgress(
        total=10, stages={Stage.CALIBRATION: 10}, unit_rating=UnitRating.BUTUH_PERBAIKAN
    )
    ten = {**NINE, Grade.BAIK: 3}
    chart = unit_chart("U1", progress, ten, NATIONAL.curve, CurveRounding.NEAREST)
    assert [(r.min_people, r.max_people, r.size) for r in chart.rules] == [
        (None, None, 10),
        (None, None, 10),
    ]


def gettext_in(locale: str) -> Callable[..., str]:
    """The templates' `_` in `locale`, as a page has it."""
    catalog = translations(locale)

    def _(message: str, **values: Any) -> str:
        text = catalog.gettext(message)
        return text % values if values else text

    return _


def test_the_calibration_table_says_at_most_ten_percent_one_of_nine() -> None:
    progress = UnitProgress(
        total=9, stages={Stage.CALIBRATION: 9}, unit_rating=UnitRating.BUTUH_PERBAIKAN
    )
    chart = unit_chart("U1", progress, NINE, NATIONAL.curve, CurveRounding.NEAREST)
    page = environment.from_string(
        '{% from "hr/_bars.html" import unit_bars with context %}{{ unit_bars(unit) }}'
    )
    for locale, most, least in (
        ("en", "at most 10% (1 of 9)", "at least 60% (5 of 9)"),
        ("id", "paling banyak 10% (1 dari 9)", "paling sedikit 60% (5 dari 9)"),
    ):
        html = page.render(context(request(), {"unit": chart, "_": gettext_in(locale)}))
        assert most in html and least in html, locale
