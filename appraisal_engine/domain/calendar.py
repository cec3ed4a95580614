"""The appraisal year's calendar: report periods counted from the start of the year."""

from __future__ import annotations

import calendar
from datetime import datetime, timedelta


def add_months(moment: datetime, months: int) -> datetime:
    """The same day-of-month and time `months` later, clamped to the month's last day."""
    index = moment.month - 1 + months
    year, month = moment.year + index // 12, index % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def period_ends(year_start: datetime, periods_per_year: int) -> list[datetime]:
    """When each report period ends; the last is the end of the appraisal year."""
    step = 12 // periods_per_year
    return [add_months(year_start, step * (k + 1)) for k in range(periods_per_year)]


def days(n: float) -> timedelta:
    """A policy's day count as a timedelta."""
    return timedelta(days=n)
