"""What HR's dashboard draws, as numbers a template turns into SVG: a unit's appraisals per
stage as one stacked bar, its grades as bars, and each rule of its curve as the actual share
against the allowed range. Widths are in a 0-100 viewBox, so the charts scale with the page
and need no style attribute (the CSP allows none)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from appraisal_engine.domain.curve import CurveRule, UnitRating, rule_checks
from appraisal_engine.domain.curve_rounding import CurveRounding
from appraisal_engine.domain.ratings import Grade
from appraisal_engine.domain.stages import BEFORE_CALIBRATION, Stage
from appraisal_engine.workflows.cycle_messages import UnitProgress

STAGES = list(Stage)
"""The stages in the year's order, as the stacked bar lays them out."""
GRADES = list(Grade)
"""The grades, best first."""


@dataclass(frozen=True)
class Segment:
    """One part of a stacked bar: a stage's appraisals, or a grade's."""

    part: Stage | Grade
    count: int
    x: float
    width: float


@dataclass(frozen=True)
class GradeBar:
    """One grade's count and share of a unit's graded appraisals."""

    grade: Grade
    count: int
    share: float


@dataclass(frozen=True)
class RuleBar:
    """One rule of the unit's curve: the grades it bounds, the bounds, what the unit has now,
    and whether that breaks it. Where a share is not a whole number of the unit's people,
    `min_people`/`max_people` say how many it comes to under the policy's rounding."""

    grades: list[Grade]
    min_share: float | None
    max_share: float | None
    min_count: int | None
    share: float
    count: int
    broken: bool
    min_people: int | None = None
    max_people: int | None = None
    size: int = 0


def stacked(order: Sequence[Stage | Grade], counts: Mapping[Any, int]) -> list[Segment]:
    """The counted parts in `order`, side by side across 100 units of width; parts with none
    are left out."""
    total = sum(counts.values())
    segments: list[Segment] = []
    x = 0.0
    for part in order:
        count = counts.get(part, 0)
        if count and total:
            width = 100 * count / total
            segments.append(Segment(part, count, round(x, 3), round(width, 3)))
            x += width
    return segments


def grade_bars(counts: Mapping[Grade, int]) -> list[GradeBar]:
    """Every grade, best first, with its share of the unit's graded appraisals."""
    total = sum(counts.values())
    return [
        GradeBar(g, counts.get(g, 0), counts.get(g, 0) / total if total else 0.0) for g in Grade
    ]


def rule_bars(
    rating: UnitRating | None,
    counts: Mapping[Grade, int],
    curve: Mapping[UnitRating, list[CurveRule]],
    rounding: CurveRounding = CurveRounding.STRICT,
) -> list[RuleBar]:
    """Each rule of the curve for the unit's rating (none before it is rated), marked broken
    where the domain's own check of the unit's grades says so."""
    if rating is None:
        return []
    return [
        RuleBar(
            grades=sorted(c.rule.grades, key=list(Grade).index),
            min_share=c.rule.min_share,
            max_share=c.rule.max_share,
            min_count=c.rule.min_count,
            share=c.share,
            count=c.count,
            broken=c.broken,
            min_people=c.rounded_min,
            max_people=c.rounded_max,
            size=c.size,
        )
        for c in rule_checks(rating, Counter(counts).elements(), curve, rounding)
    ]


@dataclass(frozen=True)
class UnitChart:
    """Everything the dashboard shows of one unit."""

    code: str
    progress: UnitProgress
    segments: list[Segment]  # the stages
    grades: list[GradeBar]
    graded: list[Segment]  # the grades held, as one stacked bar
    rules: list[RuleBar]
    awaiting_review: int
    in_calibration: int


def unit_chart(
    code: str,
    progress: UnitProgress,
    counts: Mapping[Grade, int],
    curve: Mapping[UnitRating, list[CurveRule]],
    rounding: CurveRounding = CurveRounding.STRICT,
) -> UnitChart:
    """A unit's progress, grades and curve (its shares turned into people by `rounding`),
    from the cycle's counters and the read model."""
    return UnitChart(
        code=code,
        progress=progress,
        segments=stacked(STAGES, progress.stages),
        grades=grade_bars(counts),
        graded=stacked(GRADES, counts),
        rules=rule_bars(progress.unit_rating, counts, curve, rounding),
        awaiting_review=sum(progress.stages.get(s, 0) for s in BEFORE_CALIBRATION),
        in_calibration=progress.stages.get(Stage.CALIBRATION, 0),
    )
