"""Discipline and attendance: standards beside the plan's targets (Tanjungbalai), entered by the
appraiser with each period's feedback and rated for the year as met or not."""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import Field

from appraisal_engine.domain.model import Value
from appraisal_engine.domain.ratings import Rating


class PeriodIndicators(Value):
    """One period's discipline and attendance, as the appraiser records them."""

    attendance: float = Field(
        ge=0, le=100, description="working days present in the period, as a percentage"
    )
    discipline_breaches: int = Field(
        ge=0, le=100, description="breaches of the work-discipline rules recorded in the period"
    )


class IndicatorRules(Value):
    """When the year's discipline and attendance meet the standard."""

    enabled: bool = Field(
        default=False,
        description="the appraiser enters discipline and attendance with each period's feedback",
    )
    attendance_floor: float = Field(
        default=95, ge=0, le=100, description="the year's mean attendance (%) that meets it"
    )
    breaches_allowed: int = Field(
        default=2, ge=0, le=100, description="the most breaches in the year that still meet it"
    )
    min_periods: int = Field(
        default=1,
        ge=1,
        le=12,
        description="periods with indicators entered before the year's are rated at all",
    )


class IndicatorSummary(Value):
    """The year's discipline and attendance, from the periods that have them."""

    entered: list[int] = Field(description="the periods whose indicators were entered")
    missing: list[int] = Field(description="the periods whose indicators never were")
    attendance: float | None = Field(default=None, description="mean of the entered periods")
    breaches: int = 0
    rated: bool = Field(description="enough periods were entered for the year to be rated")
    attendance_rating: Rating | None = None
    discipline_rating: Rating | None = None

    def standards(self) -> list[Rating]:
        """The ratings that stand beside the targets' results, once the year is rated."""
        if not self.rated or self.attendance_rating is None or self.discipline_rating is None:
            return []
        return [self.attendance_rating, self.discipline_rating]


def summarise_indicators(
    entries: dict[int, PeriodIndicators], *, periods: int, rules: IndicatorRules
) -> IndicatorSummary:
    """The year's indicators from each period's (a period left out where none were entered):
    the mean attendance and the breaches counted, each met or not, when at least
    `rules.min_periods` periods have them."""
    entered = sorted(entries)
    missing = [p for p in range(1, periods + 1) if p not in entries]
    if not entered:
        return IndicatorSummary(entered=[], missing=missing, rated=False)
    values: Sequence[PeriodIndicators] = [entries[p] for p in entered]
    attendance = round(sum(v.attendance for v in values) / len(values), 2)
    breaches = sum(v.discipline_breaches for v in values)
    rated = len(entered) >= rules.min_periods
    return IndicatorSummary(
        entered=entered,
        missing=missing,
        attendance=attendance,
        breaches=breaches,
        rated=rated,
        attendance_rating=(
            (Rating.MEETS if attendance >= rules.attendance_floor else Rating.BELOW)
            if rated
            else None
        ),
        discipline_rating=(
            (Rating.MEETS if breaches <= rules.breaches_allowed else Rating.BELOW)
            if rated
            else None
        ),
    )
