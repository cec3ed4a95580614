"""Moments and days read on the organisation's clock, a deadline at midnight as its day's end."""

from __future__ import annotations

from datetime import UTC, datetime

from appraisal_engine.domain.calendar import local_day
from appraisal_engine.domain.written_time import written_day, written_moment

MIDNIGHT_WIB = datetime(2026, 12, 17, 17, 0, tzinfo=UTC)  # 00.00 WIB on 18 December


def test_a_moment_reads_in_the_zone_with_its_name() -> None:
    at = datetime(2026, 12, 3, 7, 5, tzinfo=UTC)
    assert written_moment(at, "id", "Asia/Jakarta") == "3 Desember 2026 14.05 WIB"
    assert written_moment(at, "en", "Asia/Jayapura") == "3 December 2026 16:05 WIT"
    assert written_moment(None, "id", "Asia/Jakarta") == ""


def test_a_deadline_at_midnight_reads_as_the_end_of_the_day_it_ends() -> None:
    until = written_moment(MIDNIGHT_WIB, "id", "Asia/Jakarta", ending=True)
    assert until == "17 Desember 2026 24.00 WIB"
    until = written_moment(MIDNIGHT_WIB, "en", "Asia/Jakarta", ending=True)
    assert until == "17 December 2026 24:00 WIB"
    assert written_day(MIDNIGHT_WIB, "id", "Asia/Jakarta", ending=True) == "17 Desember 2026"
    assert local_day(MIDNIGHT_WIB, "Asia/Jakarta").isoformat() == "2026-12-17"
    # The same instant is 01.00 WITA on the 18th: not a midnight there.
    assert written_day(MIDNIGHT_WIB, "id", "Asia/Makassar", ending=True) == "18 Desember 2026"
    until = written_moment(MIDNIGHT_WIB, "id", "Asia/Makassar", ending=True)
    assert until == "18 Desember 2026 01.00 WITA"


def test_a_start_at_midnight_is_the_day_it_starts() -> None:
    assert written_moment(MIDNIGHT_WIB, "id", "Asia/Jakarta") == "18 Desember 2026 00.00 WIB"
    assert written_day(MIDNIGHT_WIB, "en", "Asia/Jakarta") == "18 December 2026"


def test_a_minute_past_midnight_is_the_new_day_for_a_deadline_too() -> None:
    after = datetime(2026, 12, 17, 17, 1, tzinfo=UTC)
    assert written_moment(after, "id", "Asia/Jakarta", ending=True) == "18 Desember 2026 00.01 WIB"
    assert written_day(after, "en", "Asia/Jakarta", ending=True) == "18 December 2026"
