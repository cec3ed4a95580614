"""The appeal window counts calendar days on the organisation's clock, to the end of the last."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from hypothesis import given
from hypothesis import strategies as st

from appraisal_engine.domain.calendar import ZONE_OFFSETS, closes_after
from appraisal_engine.domain.presets import NATIONAL, WANGGAR


def test_fourteen_days_from_a_grade_received_in_the_morning_end_with_the_fourteenth() -> None:
    received = datetime(2026, 12, 3, 3, 0, tzinfo=UTC)  # 10.00 WIB on 3 December
    # From 4 December, 14 days: the window closes when 17 December ends, midnight WIB.
    assert closes_after(received, 14, "Asia/Jakarta") == datetime(2026, 12, 17, 17, 0, tzinfo=UTC)


def test_the_day_is_the_organisations_not_utcs() -> None:
    # 23.30 UTC on 2 December is already 3 December in Jayapura (08.30 WIT) and in Jakarta.
    received = datetime(2026, 12, 2, 23, 30, tzinfo=UTC)
    assert closes_after(received, 1, "Asia/Jayapura") == datetime(2026, 12, 4, 15, 0, tzinfo=UTC)
    # 16.59 UTC is still 2 December in Jakarta (23.59 WIB), but 3 December in Makassar.
    late = datetime(2026, 12, 2, 16, 59, tzinfo=UTC)
    assert closes_after(late, 1, "Asia/Jakarta") == datetime(2026, 12, 3, 17, 0, tzinfo=UTC)
    assert closes_after(late, 1, "Asia/Makassar") == datetime(2026, 12, 4, 16, 0, tzinfo=UTC)


def test_a_fraction_of_a_day_is_an_exact_duration() -> None:
    received = datetime(2026, 12, 3, 3, 0, tzinfo=UTC)
    assert closes_after(received, 0.5, "Asia/Jakarta") == received + timedelta(hours=12)


@given(
    st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2040, 1, 1)),
    st.integers(min_value=1, max_value=90),
    st.sampled_from(sorted(ZONE_OFFSETS)),
)
def test_the_window_closes_at_a_local_midnight_after_at_least_its_days(
    naive: datetime, window: int, zone: str
) -> None:
    received = naive.replace(tzinfo=UTC)
    closes = closes_after(received, window, zone)
    local = closes + ZONE_OFFSETS[zone]
    assert (local.hour, local.minute, local.second, local.microsecond) == (0, 0, 0, 0)
    # Never shorter than the whole days, never a full day longer (exactly the days from a
    # midnight, which belongs to the day it ends).
    assert timedelta(days=window) <= closes - received < timedelta(days=window + 1)
    at_midnight = (received + ZONE_OFFSETS[zone]).time() == time()
    assert (closes - received == timedelta(days=window)) == at_midnight


def test_the_presets_zones() -> None:
    assert NATIONAL.time_zone == "Asia/Jakarta"
    assert WANGGAR.time_zone == "Asia/Jayapura"  # Papua keeps WIT


def test_a_midnight_belongs_to_the_day_it_ends() -> None:
    # A deadline at midnight WIB into 16 April, then 5 days' grace: the grace ends as 20 April
    # ends, exactly 5 days on; a moment later the count starts from 16 April.
    midnight = datetime(2026, 4, 15, 17, 0, tzinfo=UTC)
    assert closes_after(midnight, 5, "Asia/Jakarta") == midnight + timedelta(days=5)
    after = midnight + timedelta(microseconds=1)
    assert closes_after(after, 5, "Asia/Jakarta") == midnight + timedelta(days=6)
