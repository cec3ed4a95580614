"""When a notice may go out under its person's preferences: a digest at the day's digest hour,
nothing in quiet hours (across midnight too), a new task or an escalation at once."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from appraisal_engine.domain.notices import (
    NoticeKind,
    NoticePreferences,
    after_quiet_hours,
    digest_time,
    is_quiet,
    release_at,
)

WIB = ZoneInfo("Asia/Jakarta")
NIP = "198507142010011001"
NIGHT = NoticePreferences(nip=NIP, quiet_start=time(21), quiet_end=time(6))
DIGEST = NoticePreferences(nip=NIP, digest=True)
BOTH = NoticePreferences(nip=NIP, digest=True, quiet_start=time(21), quiet_end=time(6))


def wib(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 12, day, hour, minute, tzinfo=WIB).astimezone(UTC)


def release(
    kind: NoticeKind, prefs: NoticePreferences, created: datetime, now: datetime
) -> datetime:
    return release_at(kind, created, prefs, now, digest_hour=7, zone=WIB)


def test_quiet_hours_span_midnight() -> None:
    assert is_quiet(time(22), time(21), time(6)) and is_quiet(time(5, 59), time(21), time(6))
    assert not is_quiet(time(6), time(21), time(6)) and not is_quiet(
        time(20, 59), time(21), time(6)
    )
    assert is_quiet(time(13), time(12), time(14)) and not is_quiet(time(14), time(12), time(14))
    assert not is_quiet(time(3), None, None)


def test_a_reminder_in_the_digest_waits_for_the_digest_hour() -> None:
    created = wib(3, 10)
    assert release(NoticeKind.REMINDER, DIGEST, created, created) == wib(4, 7)
    assert release(NoticeKind.OVERDUE, DIGEST, created, wib(4, 7)) == wib(4, 7)
    early = wib(3, 6, 30)
    assert release(NoticeKind.REMINDER, DIGEST, early, early) == wib(3, 7)
    late = wib(4, 9)  # the sender was away at 07:00: it goes now
    assert release(NoticeKind.REMINDER, DIGEST, created, late) == late


@pytest.mark.parametrize("kind", [NoticeKind.TASK_OPENED, NoticeKind.ESCALATION])
def test_a_new_task_or_an_escalation_goes_at_once(kind: NoticeKind) -> None:
    now = wib(3, 10)
    assert release(kind, DIGEST, now, now) == now
    assert release(kind, BOTH, wib(3, 22), wib(3, 22)) == wib(4, 6)


def test_quiet_hours_hold_everything_until_they_end() -> None:
    for kind in NoticeKind:
        assert release(kind, NIGHT, wib(3, 23), wib(3, 23)) == wib(4, 6)
        assert release(kind, NIGHT, wib(4, 2), wib(4, 2)) == wib(4, 6)
        assert release(kind, NIGHT, wib(4, 6), wib(4, 6)) == wib(4, 6)
    # A digest hour inside the quiet hours is put off to their end.
    quiet_morning = NoticePreferences(nip=NIP, digest=True, quiet_start=time(21), quiet_end=time(8))
    assert release(NoticeKind.REMINDER, quiet_morning, wib(3, 10), wib(3, 10)) == wib(4, 8)


def test_preferences_need_both_ends_of_quiet_hours() -> None:
    with pytest.raises(ValueError):
        NoticePreferences(nip=NIP, quiet_start=time(21))
    with pytest.raises(ValueError):
        NoticePreferences(nip=NIP, quiet_start=time(21), quiet_end=time(21))


moments = st.datetimes(
    min_value=datetime(2026, 1, 1), max_value=datetime(2027, 12, 31), timezones=st.just(UTC)
)
clock = st.times().map(lambda t: t.replace(second=0, microsecond=0))


@st.composite
def preferences(draw: st.DrawFn) -> NoticePreferences:
    digest = draw(st.booleans())
    if not draw(st.booleans()):
        return NoticePreferences(nip=NIP, digest=digest)
    start = draw(clock)
    end = draw(clock.filter(lambda t: t != start))
    return NoticePreferences(nip=NIP, digest=digest, quiet_start=start, quiet_end=end)


@given(
    st.sampled_from(NoticeKind),
    preferences(),
    moments,
    st.integers(0, 3 * 24 * 60),
    st.integers(0, 23),
)
def test_release_is_never_early_nor_quiet_and_within_two_days(
    kind: NoticeKind, prefs: NoticePreferences, created: datetime, waited: int, hour: int
) -> None:
    now = created + timedelta(minutes=waited)
    at = release_at(kind, created, prefs, now, digest_hour=hour, zone=WIB)
    assert now <= at <= now + timedelta(days=2)
    assert not is_quiet(at.astimezone(WIB).time(), prefs.quiet_start, prefs.quiet_end)
    if prefs.digest and kind in (NoticeKind.REMINDER, NoticeKind.OVERDUE):
        assert at >= digest_time(created, hour, WIB)
        local = at.astimezone(WIB)
        digest_hour = local.hour == hour and local.minute == 0 and local.second == 0
        assert digest_hour or at == now or local.time() == prefs.quiet_end
    elif not is_quiet(now.astimezone(WIB).time(), prefs.quiet_start, prefs.quiet_end):
        assert at == now


@given(preferences(), moments)
def test_after_quiet_hours_is_the_moment_itself_or_their_end(
    prefs: NoticePreferences, moment: datetime
) -> None:
    at = after_quiet_hours(moment, prefs, WIB)
    assert moment <= at < moment + timedelta(days=1)
    if at != moment:
        assert at.astimezone(WIB).time() == prefs.quiet_end


@given(moments, st.integers(0, 23))
def test_the_digest_is_the_first_digest_hour_from_the_notice(created: datetime, hour: int) -> None:
    at = digest_time(created, hour, WIB)
    assert created <= at < created + timedelta(days=1)
    assert at.astimezone(WIB).time() == time(hour)
