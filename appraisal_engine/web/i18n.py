"""Translations: every string a person reads goes through gettext; the catalogs are the .po files
under locale/, compiled in memory when the app starts. Msgids are English, the default locale is
Bahasa Indonesia. Dates are written the Indonesian way in the organisation's time zone."""

from __future__ import annotations

from datetime import date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

from babel.support import NullTranslations

from appraisal_engine.domain.catalogs import N_, catalog
from appraisal_engine.domain.written_time import ZONE_NAMES, written_day, written_moment
from appraisal_engine.web.config import Locale

__all__ = ["N_", "ZONE_NAMES", "day", "when"]

LOCALE_DIR = Path(__file__).parent / "locale"


def translations(locale: str) -> NullTranslations:
    """The catalog for `locale`; English is the msgids themselves."""
    return catalog(LOCALE_DIR, locale)


def when(moment: datetime | None, locale: Locale, zone: str, *, ending: bool = False) -> str:
    """A moment as people read it: "3 Desember 2026 14.05 WIB"; a deadline (`ending`) at
    midnight as its day's 24.00."""
    return written_moment(moment, locale, zone, ending=ending)


def day(moment: datetime | None, locale: Locale, zone: str, *, ending: bool = False) -> str:
    """The day of a moment in the organisation's time zone: "3 Desember 2026"; a deadline
    (`ending`) at midnight as the day it ends."""
    return written_day(moment, locale, zone, ending=ending)


def local_moment(on: date, at: time, zone: str) -> datetime:
    """A day and a time on the organisation's clock as a moment: forms take dates and times
    as people there read them."""
    return datetime.combine(on, at, tzinfo=ZoneInfo(zone))
