"""The appraisal year's calendar: report periods counted from the start of the year, and
deadlines (a task's, the appeal window) counted in the organisation's own days."""

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


def period_ends(
    year_start: datetime, periods_per_year: int, zone: str | None = None
) -> list[datetime]:
    """When each report period ends; the last is the end of the appraisal year.

    With the organisation's zone, a period ends at midnight on its clock: the year starts on
    the local day `year_start` falls on, and each period ends as the day before the same date
    `12 / periods_per_year` months on ends. Without one (appraisals started before zones), a
    period ends at the same instant of the day as `year_start`."""
    step = 12 // periods_per_year
    if zone is None:
        return [add_months(year_start, step * (k + 1)) for k in range(periods_per_year)]
    local = timezone(ZONE_OFFSETS[zone])
    first = datetime.combine(year_start.astimezone(local).date(), time(), local)
    return [add_months(first, step * (k + 1)).astimezone(UTC) for k in range(periods_per_year)]


def days(n: float) -> timedelta:
    """A policy's day count as a timedelta."""
    return timedelta(days=n)


def closes_after(opened: datetime, n_days: float, zone: str) -> datetime:
    """When a deadline of `n_days` from `opened` falls, on the organisation's clock.

    A whole number of days counts calendar days in the organisation's zone: from the day after
    the one `opened` falls on, to the end of the last day (an appeal window of 14 days from a
    grade received on 3 December closes when 17 December ends, midnight into the 18th on its
    clock). A midnight belongs to the day it ends: a report due in 10 days, asked for as the
    quarter ends at midnight into 1 April, closes when 10 April ends, and a grace of 5 days
    after a deadline at a midnight is exactly 5 days. A fraction of a day (a drill, a test) is
    an exact duration from `opened`."""
    if n_days != int(n_days):
        return opened + days(n_days)
    local = timezone(ZONE_OFFSETS[zone])
    opened_on = local_day(opened, zone)
    closes = datetime.combine(opened_on + timedelta(days=int(n_days) + 1), time(), local)
    return closes.astimezone(UTC)


def local_date(moment: datetime, zone: str) -> date:
    """The date `moment` falls on in the organisation's zone."""
    return moment.astimezone(timezone(ZONE_OFFSETS[zone])).date()


def local_day(moment: datetime, zone: str) -> date:
    """The organisation's day a moment belongs to, a midnight to the day it ends: a deadline
    at midnight into 18 December is "17 December"."""
    at = moment.astimezone(timezone(ZONE_OFFSETS[zone]))
    return at.date() - timedelta(days=1 if at.time() == time() else 0)
