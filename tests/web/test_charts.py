"""The dashboard's charts as numbers: stacked bars that fill their width in the year's (or the
grades') order, and each curve rule marked broken exactly where the domain says so."""

from __future__ import annotations

from itertools import pairwise

from hypothesis import given
from hypothesis import strategies as st

from appraisal_engine.domain.curve import UnitRating
from appraisal_engine.domain.presets import NATIONAL
from appraisal_engine.domain.ratings import Grade
from appraisal_engine.domain.stages import Stage
from appraisal_engine.web.charts import GRADES, STAGES, stacked, unit_chart
from appraisal_engine.workflows.cycle_messages import UnitProgress


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
    assert len(fits.rules) == 2 and not any(r.broken for r in fits.rules)
    # At most 70% Baik, and at least one below it: ten Baik break both.
    assert [(r.grades, r.count, r.broken) for r in over.rules] == [
        ([Grade.BAIK], 10, True),
        ([Grade.BUTUH_PERBAIKAN, Grade.KURANG], 0, True),
    ]
    assert [s.part for s in fits.graded] == [Grade.SANGAT_BAIK, Grade.BAIK, Grade.BUTUH_PERBAIKAN]
    assert over.in_calibration == 10 and over.awaiting_review == 0


def test_no_rules_before_the_unit_is_rated() -> None:
    progress = UnitProgress(total=2, stages={Stage.REVIEW: 2})
    chart = unit_chart("U1", progress, {}, NATIONAL.curve)
    assert chart.rules == [] and chart.graded == [] and chart.awaiting_review == 2
