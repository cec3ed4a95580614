"""The distribution curve: how a unit's own rating caps its employees' grades."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from pydantic import Field, model_validator

from appraisal_engine.domain.curve_rounding import (
    CurveRounding,
    fewest_required,
    most_allowed,
    whole,
)
from appraisal_engine.domain.model import Value
from appraisal_engine.domain.ratings import Grade


class UnitRating(StrEnum):
    """The organisation's own performance rating, set by the next-higher leader."""

    ISTIMEWA = "istimewa"
    BAIK = "baik"
    BUTUH_PERBAIKAN = "butuh_perbaikan"
    KURANG = "kurang"
    SANGAT_KURANG = "sangat_kurang"

    @property
    def label(self) -> str:
        """The rating's name in the regulation (the same in every language), e.g. Istimewa."""
        return self.value.replace("_", " ").title()


class CurveRule(Value):
    """A bound on the share (and optionally the count) of a set of grades in a unit."""

    grades: frozenset[Grade] = Field(min_length=1)
    min_share: float | None = Field(default=None, ge=0, le=1)
    max_share: float | None = Field(default=None, ge=0, le=1)
    min_count: int | None = Field(default=None, ge=0)

    @model_validator(mode="after")
    def _has_bound(self) -> CurveRule:
        if self.min_share is None and self.max_share is None and self.min_count is None:
            raise ValueError("a curve rule needs min_share, max_share or min_count")
        return self


@dataclass(frozen=True)
class RuleCheck:
    """One rule of a unit's curve against the unit's grades: its shares as numbers of people
    for a unit of this size, what the unit has, and whether that breaks the rule."""

    rule: CurveRule
    size: int
    count: int
    min_people: int | None
    max_people: int | None

    @property
    def share(self) -> float:
        """The unit's share of the rule's grades."""
        return self.count / self.size if self.size else 0.0

    @property
    def broken(self) -> bool:
        """Whether the unit's grades break the rule (an empty unit breaks none)."""
        if not self.size:
            return False
        low = max(self.min_people or 0, self.rule.min_count or 0)
        high = self.size if self.max_people is None else self.max_people
        return not low <= self.count <= high

    @property
    def rounded_min(self) -> int | None:
        """The people the min share requires, where that share is not a whole number of them."""
        share = self.rule.min_share
        return None if share is None or whole(share, self.size) else self.min_people

    @property
    def rounded_max(self) -> int | None:
        """The people the max share allows, where that share is not a whole number of them."""
        share = self.rule.max_share
        return None if share is None or whole(share, self.size) else self.max_people


def rule_checks(
    unit_rating: UnitRating,
    grades: Iterable[Grade],
    curve: Mapping[UnitRating, list[CurveRule]],
    rounding: CurveRounding = CurveRounding.STRICT,
) -> list[RuleCheck]:
    """Each rule of the unit's curve, in the curve's order, against the unit's grades."""
    counts = Counter(grades)
    size = sum(counts.values())
    return [
        RuleCheck(
            rule=rule,
            size=size,
            count=sum(counts[g] for g in rule.grades),
            min_people=None
            if rule.min_share is None
            else fewest_required(rule.min_share, size, rounding),
            max_people=None
            if rule.max_share is None
            else most_allowed(rule.max_share, size, rounding),
        )
        for rule in curve.get(unit_rating, [])
    ]


class Violation(Value):
    """One broken curve rule: which grades, what is allowed, what the unit has. The people a
    share comes to are given where the share is not a whole number of them (recorded results
    from before the rounding setting have none)."""

    grades: list[Grade]
    allowed_min_share: float | None
    allowed_max_share: float | None
    allowed_min_count: int | None
    actual_share: float
    actual_count: int
    allowed_min_people: int | None = None
    allowed_max_people: int | None = None
    unit_size: int | None = None

    @property
    def message(self) -> str:
        """A sentence HR can act on."""
        names = " or ".join(g.value for g in self.grades)
        of = f" of {self.unit_size}"
        bounds = []
        if self.allowed_min_share is not None:
            bounds.append(f"at least {self.allowed_min_share:.0%}")
            if self.allowed_min_people is not None:
                bounds[-1] += f" ({self.allowed_min_people}{of})"
        if self.allowed_max_share is not None:
            bounds.append(f"at most {self.allowed_max_share:.0%}")
            if self.allowed_max_people is not None:
                bounds[-1] += f" ({self.allowed_max_people}{of})"
        if self.allowed_min_count is not None:
            bounds.append(f"at least {self.allowed_min_count}")
        actual = f"{self.actual_share:.0%}"
        if self.allowed_min_count is not None:
            actual = f"{self.actual_count} ({actual})"
        return f"{names}: allowed {' and '.join(bounds)}, actual {actual}"


def _r(grades: set[Grade], **bounds: float | int) -> CurveRule:
    return CurveRule(grades=frozenset(grades), **bounds)


G = Grade
NATIONAL_CURVE: dict[UnitRating, list[CurveRule]] = {
    UnitRating.ISTIMEWA: [_r({G.SANGAT_BAIK}, max_share=0.70)],
    UnitRating.BAIK: [
        _r({G.BAIK}, max_share=0.70),
        _r({G.BUTUH_PERBAIKAN, G.KURANG}, min_count=1),
        # The regulation names no cap here ("the others may be Sangat Baik"), but a Baik unit
        # may not have more Sangat Baik than an Istimewa one (domain.curve_order).
        _r({G.SANGAT_BAIK}, max_share=0.70),
    ],
    UnitRating.BUTUH_PERBAIKAN: [
        _r({G.BUTUH_PERBAIKAN}, min_share=0.60),
        _r({G.SANGAT_BAIK}, max_share=0.10),
    ],
    UnitRating.KURANG: [
        _r({G.KURANG}, min_share=0.60),
        _r({G.BUTUH_PERBAIKAN}, min_share=0.10),
        _r({G.SANGAT_BAIK}, max_share=0.10),
    ],
    UnitRating.SANGAT_KURANG: [
        _r({G.SANGAT_KURANG}, min_share=0.60),
        _r({G.KURANG, G.BUTUH_PERBAIKAN}, min_share=0.10),
        _r({G.SANGAT_BAIK}, max_share=0.0),
    ],
}
"""The kurva distribusi of the national rules."""


def check_curve(
    unit_rating: UnitRating,
    grades: Iterable[Grade],
    curve: Mapping[UnitRating, list[CurveRule]] = NATIONAL_CURVE,
    rounding: CurveRounding = CurveRounding.STRICT,
) -> list[Violation]:
    """Every rule of the unit's curve that its grades break; empty when the unit fits."""
    return [
        Violation(
            grades=sorted(c.rule.grades, key=list(Grade).index),
            allowed_min_share=c.rule.min_share,
            allowed_max_share=c.rule.max_share,
            allowed_min_count=c.rule.min_count,
            actual_share=round(c.share, 4),
            actual_count=c.count,
            allowed_min_people=c.rounded_min,
            allowed_max_people=c.rounded_max,
            unit_size=c.size,
        )
        for c in rule_checks(unit_rating, grades, curve, rounding)
        if c.broken
    ]
