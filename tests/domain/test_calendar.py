"""The appraisal year's calendar."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from appraisal_engine.domain.calendar import ZONE_OFFSETS, add_months, days, period_ends
from appraisal_engine.domain.policy import ReportPeriod

WIB = timezone(timedelta(hours=7))


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (datetime(2025, 1, 31), 1, datetime(2025, 2, 28)),
        (datetime(2024, 1, 31), 1, datetime(2024, 2, 29)),
        (datetime(2100, 1, 31), 1, datetime(2100, 2, 28)),  # not a leap year
        (datetime(2025, 3, 31), 1, datetime(2025, 4, 30)),
        (datetime(2025, 1, 31), 3, datetime(2025, 4, 30)),
        (datetime(2025, 8, 31), 6, datetime(2026, 2, 28)),
        (datetime(2025, 11, 15), 3, datetime(2026, 2, 15)),
        (datetime(2025, 12, 1), 1, datetime(2026, 1, 1)),
        (datetime(2024, 2, 29), 12, datetime(2025, 2, 28)),
        (datetime(2024, 2, 29), 48, datetime(2028, 2, 29)),
        (datetime(2025, 1, 15), 0, datetime(2025, 1, 15)),
        (datetime(2024, 3, 31), -1, datetime(2024, 2, 29)),
        (datetime(2025, 1, 10), -1, datetime(2024, 12, 10)),
        (datetime(2025, 1, 10), -13, datetime(2023, 12, 10)),
    ],
)
def test_add_months_clamps_to_the_last_day(
    start: datetime, months: int, expected: datetime
) -> None:
    assert add_months(start, months) == expected


def test_add_months_keeps_time_and_timezone() -> None:
    start = datetime(2025, 1, 31, 8, 30, 15, tzinfo=WIB)
    end = add_months(start, 1)
    assert end == datetime(2025, 2, 28, 8, 30, 15, tzinfo=WIB)
    assert end.tzinfo is WIB


def test_quarterly_period_ends() -> None:
    start = datetime(2025, 1, 1, tzinfo=UTC)
    assert period_ends(start, ReportPeriod.QUARTERLY.per_year) == [
        datetime(2025, 4, 1, tzinfo=UTC),
        datetime(2025, 7, 1, tzinfo=UTC),
        datetime(2025, 10, 1, tzinfo=UTC),
        datetime(2026, 1, 1, tzinfo=UTC),
    ]


def test_monthly_period_ends() -> None:
    start = datetime(2025, 1, 1, tzinfo=WIB)
    ends = period_ends(start, ReportPeriod.MONTHLY.per_year)
    assert ends == [datetime(2025, m, 1, tzinfo=WIB) for m in range(2, 13)] + [
        datetime(2026, 1, 1, tzinfo=WIB)
    ]


def test_period_ends_from_a_month_end_do_not_drift() -> None:
    # Each end is counted from the start, so a short February does not shift the later ones.
    ends = period_ends(datetime(2025, 1, 31), 12)
    assert ends[0] == datetime(2025, 2, 28)
    assert ends[1] == datetime(2025, 3, 31)
    assert ends[-1] == datetime(2026, 1, 31)


@settings(max_examples=200, deadline=None)
@given(
    st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2200, 12, 31)),
    st.sampled_from([4, 12]),
)
def test_period_ends_cover_exactly_one_year(start: datetime, per_year: int) -> None:
    ends = period_ends(start, per_year)
    assert len(ends) == per_year
    assert all(a < b for a, b in zip([start, *ends], ends, strict=False))
    if (start.month, start.day) == (2, 29):
        assert ends[-1] == start.replace(year=start.year + 1, day=28)
    else:
        assert ends[-1] == start.replace(year=start.year + 1)
    for k, end in enumerate(ends):
        months = (end.year - start.year) * 12 + end.month - start.month
        assert months == (k + 1) * 12 // per_year
        assert end.time() == start.time()


def test_days_is_a_timedelta() -> None:
    assert days(1.5) == timedelta(hours=36)
    assert days(0) == timedelta(0)


@given(
    st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2040, 1, 1)),
    st.sampled_from([4, 12]),
    st.sampled_from(sorted(ZONE_OFFSETS)),
)
def test_zoned_periods_end_at_local_midnights_and_cover_the_local_year(
    naive: datetime, per_year: int, zone: str
) -> None:
    start = naive.replace(tzinfo=UTC)
    ends = period_ends(start, per_year, zone)
    offset = ZONE_OFFSETS[zone]
    locals_ = [e + offset for e in ends]
    assert all((t.hour, t.minute, t.second, t.microsecond) == (0, 0, 0, 0) for t in locals_)
    assert ends == sorted(ends) and len(ends) == per_year
    # The year ends as the day before the start's local date, a year on, ends.
    first_day = (start + offset).date()
    assert locals_[-1].date() == add_months(datetime.combine(first_day, time()), 12).date()


def test_a_quarter_from_a_start_late_in_the_utc_day_ends_on_the_local_calendar() -> None:
    # 20.00 UTC on 31 December 2025 is 1 January 2026 in Jayapura (05.00 WIT).
    ends = period_ends(datetime(2025, 12, 31, 20, tzinfo=UTC), 4, "Asia/Jayapura")
    assert ends[0] == datetime(2026, 3, 31, 15, tzinfo=UTC)  # midnight WIT into 1 April
    assert ends[-1] == datetime(2026, 12, 31, 15, tzinfo=UTC)  # the year ends with 2026
