"""The distribution curve: how a unit's own rating caps its employees' grades."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from enum import StrEnum

from pydantic import Field, model_validator

from appraisal_engine.domain.model import Value
from appraisal_engine.domain.ratings import Grade


class UnitRating(StrEnum):
    """The organisation's own performance rating, set by the next-higher leader."""

    ISTIMEWA = "istimewa"
    BAIK = "baik"
    BUTUH_PERBAIKAN = "butuh_perbaikan"
    KURANG = "kurang"
    SANGAT_KURANG = "sangat_kurang"


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


class Violation(Value):
    """One broken curve rule: which grades, what is allowed, what the unit has."""

    grades: list[Grade]
    allowed_min_share: float | None
    allowed_max_share: float | None
    allowed_min_count: int | None
    actual_share: float
    actual_count: int

    @property
    def message(self) -> str:
        """A sentence HR can act on."""
        names = " or ".join(g.value for g in self.grades)
        bounds = []
        if self.allowed_min_share is not None:
            bounds.append(f"at least {self.allowed_min_share:.0%}")
        if self.allowed_max_share is not None:
            bounds.append(f"at most {self.allowed_max_share:.0%}")
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

_EPS = 1e-9


def check_curve(
    unit_rating: UnitRating,
    grades: Iterable[Grade],
    curve: Mapping[UnitRating, list[CurveRule]] = NATIONAL_CURVE,
) -> list[Violation]:
    """Every rule of the unit's curve that its grades break; empty when the unit fits."""
    counts = Counter(grades)
    total = sum(counts.values())
    violations: list[Violation] = []
    if total == 0:
        return violations
    for rule in curve.get(unit_rating, []):
        count = sum(counts[g] for g in rule.grades)
        share = count / total
        broken = (
            (rule.min_share is not None and share < rule.min_share - _EPS)
            or (rule.max_share is not None and share > rule.max_share + _EPS)
            or (rule.min_count is not None and count < rule.min_count)
        )
        if broken:
            violations.append(
                Violation(
                    grades=sorted(rule.grades, key=list(Grade).index),
                    allowed_min_share=rule.min_share,
                    allowed_max_share=rule.max_share,
                    allowed_min_count=rule.min_count,
                    actual_share=round(share, 4),
                    actual_count=count,
                )
            )
    return violations
