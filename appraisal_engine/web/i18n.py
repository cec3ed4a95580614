"""Translations: every string a person reads goes through gettext; the catalogs are the .po files
under locale/, compiled in memory when the app starts. Msgids are English, the default locale is
Bahasa Indonesia. Dates are written the Indonesian way in the organisation's time zone."""

from __future__ import annotations

import io
from datetime import date, datetime, time
from functools import cache, lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

from appraisal_engine.web.config import Locale

LOCALE_DIR = Path(__file__).parent / "locale"
ZONE_NAMES = {"Asia/Jakarta": "WIB", "Asia/Makassar": "WITA", "Asia/Jayapura": "WIT"}


def N_(message: str) -> str:
    """Mark a message for the catalog where it is defined; it is translated where shown."""
    return message


@cache
def translations(locale: Locale) -> NullTranslations:
    """The catalog for `locale`; English is the msgids themselves."""
    po = LOCALE_DIR / locale / "LC_MESSAGES" / "messages.po"
    if not po.exists():
        return NullTranslations()
    with po.open("rb") as f:
        catalog = read_po(f, locale=locale)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(buffer)


def when(moment: datetime | None, locale: Locale, zone: str) -> str:
    """A moment as people read it: "3 Desember 2026 14.05 WIB"."""
    if moment is None:
        return ""
    tz = ZoneInfo(zone)
    pattern = "d MMMM y HH.mm" if locale == "id" else "d MMMM y HH:mm"
    text = format_datetime(moment, pattern, tzinfo=tz, locale=locale)
    return f"{text} {ZONE_NAMES.get(zone, zone)}"


def day(moment: datetime | None, locale: Locale, zone: str) -> str:
    """The day of a moment in the organisation's time zone: "3 Desember 2026"."""
    if moment is None:
        return ""
    return _written_day(moment.astimezone(ZoneInfo(zone)).date(), locale)


@lru_cache(maxsize=4096)
def _written_day(moment: date, locale: Locale) -> str:
    # A page of a hundred rows has a few distinct days: format each once.
    return format_date(moment, "d MMMM y", locale=locale)


def local_moment(on: date, at: time, zone: str) -> datetime:
    """A day and a time on the organisation's clock as a moment: forms take dates and times
    as people there read them."""
    return datetime.combine(on, at, tzinfo=ZoneInfo(zone))
