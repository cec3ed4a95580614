"""Moments and days as people in the organisation read them, on its clock: "3 Desember 2026
14.05 WIB". A deadline (`ending`) at midnight belongs to the day it ends, so it reads as that
day's 24.00, not as the next day's 00.00: a task due when 15 April ends is "due 15 April", not
"16 April", a day late to the eye. A start at midnight is the day it starts."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from babel.dates import format_date

ZONE_NAMES = {"Asia/Jakarta": "WIB", "Asia/Makassar": "WITA", "Asia/Jayapura": "WIT"}


def _local(moment: datetime, zone: str) -> tuple[date, time]:
    """The organisation's day and time of a moment."""
    at = moment.astimezone(ZoneInfo(zone))
    return at.date(), at.time().replace(tzinfo=None)


def written_moment(moment: datetime | None, locale: str, zone: str, *, ending: bool = False) -> str:
    """A moment with its day, hour and zone: "3 Desember 2026 14.05 WIB"."""
    if moment is None:
        return ""
    on, at = _local(moment, zone)
    hours, minutes = at.hour, at.minute
    if ending and at == time():
        on, hours = on - timedelta(days=1), 24
    separator = "." if locale == "id" else ":"
    clock = f"{hours:02d}{separator}{minutes:02d}"
    return f"{_written_day(on, locale)} {clock} {ZONE_NAMES.get(zone, zone)}"


def written_day(moment: datetime | None, locale: str, zone: str, *, ending: bool = False) -> str:
    """The day of a moment: "3 Desember 2026"."""
    if moment is None:
        return ""
    on, at = _local(moment, zone)
    return _written_day(on - timedelta(days=1) if ending and at == time() else on, locale)


@lru_cache(maxsize=4096)
def _written_day(on: date, locale: str) -> str:
    # A page of a hundred rows has a few distinct days: format each once.
    return format_date(on, "d MMMM y", locale=locale)
