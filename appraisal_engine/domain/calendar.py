"""The appraisal year's calendar: report periods counted from the start of the year, and the
appeal window counted in the organisation's own days."""

from __future__ import annotations

import calendar
from datetime import UTC, date, datetime, time, timedelta, timezone
from typing import Literal, TypeAlias

Zone: TypeAlias = Literal["Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura"]
"""Indonesia's three zones: WIB, WITA and WIT."""

ZONE_OFFSETS: dict[str, timedelta] = {
    "Asia/Jakarta": timedelta(hours=7),
    "Asia/Makassar": timedelta(hours=8),
    "Asia/Jayapura": timedelta(hours=9),
}
"""Their offsets from UTC: fixed, as Indonesia keeps no daylight saving time (so a workflow
needs no time-zone database)."""


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


def appeal_closes(received: datetime, window_days: float, zone: str) -> datetime:
    """When an appeal window that opened at `received` closes.

    A whole number of days counts calendar days in the organisation's zone: from the day after
    the grade was received, to the end of the last day (14 days from a grade received on
    3 December close when 17 December ends, midnight into the 18th on its clock). A fraction of
    a day (a drill, a test) is an exact duration from `received`."""
    if window_days != int(window_days):
        return received + days(window_days)
    local = timezone(ZONE_OFFSETS[zone])
    received_on = received.astimezone(local).date()
    closes = datetime.combine(received_on + timedelta(days=int(window_days) + 1), time(), local)
    return closes.astimezone(UTC)


def local_date(moment: datetime, zone: str) -> date:
    """The date `moment` falls on in the organisation's zone."""
    return moment.astimezone(timezone(ZONE_OFFSETS[zone])).date()
