"""The year's schedule: periods and deadlines counted from the year's start as the policy sets
them, in date order, ending where the cycle opens calibration for every unit."""

from __future__ import annotations

from datetime import UTC, datetime

from appraisal_engine.domain.calendar import ZONE_OFFSETS
from appraisal_engine.domain.presets import BUKITTINGGI, NATIONAL, TANJUNGBALAI, WANGGAR
from appraisal_engine.domain.schedule import Milestone, review_deadline, year_schedule

START = datetime(2026, 1, 5, tzinfo=UTC)


def test_a_quarterly_year_has_four_periods_each_with_its_report_and_feedback() -> None:
    dates = year_schedule(NATIONAL, START)
    assert [d.at for d in dates] == sorted(d.at for d in dates)
    ends = [d for d in dates if d.milestone is Milestone.PERIOD_ENDS]
    assert [(d.period, d.at.month) for d in ends] == [(1, 4), (2, 7), (3, 10), (4, 1)]
    assert dates[0].milestone is Milestone.TARGETS_DUE
    # START is 07.00 WIB on 5 January: 31 days from 6 January end when 5 February ends, WIB.
    assert dates[0].at == datetime(2026, 2, 5, 17, tzinfo=UTC)
    # The first quarter ends as 4 April ends, WIB; its report 10 days later, as 14 April ends.
    assert ends[0].at == datetime(2026, 4, 4, 17, tzinfo=UTC)
    report = next(d for d in dates if d.milestone is Milestone.REPORT_DUE and d.period == 1)
    assert report.at == datetime(2026, 4, 14, 17, tzinfo=UTC)
    assert Milestone.PEER_INPUT_DUE not in {d.milestone for d in dates}
    assert dates[-1].milestone is Milestone.CALIBRATION_OPENS
    assert dates[-1].at == review_deadline(NATIONAL, START)


def test_monthly_reports_and_peer_input_follow_their_policies() -> None:
    monthly = year_schedule(TANJUNGBALAI, START)
    assert sum(d.milestone is Milestone.PERIOD_ENDS for d in monthly) == 12
    peers = year_schedule(BUKITTINGGI, START)
    (peer,) = [d for d in peers if d.milestone is Milestone.PEER_INPUT_DUE]
    review = next(d for d in peers if d.milestone is Milestone.REVIEW_DUE)
    assert peer.at < review.at < review_deadline(BUKITTINGGI, START)
    assert review_deadline(BUKITTINGGI, START) > review_deadline(NATIONAL, START)


def test_the_days_are_the_organisations() -> None:
    # 00.00 UTC on 5 January is 09.00 WIT: Wanggar's periods end at midnight on its own clock.
    wanggar = year_schedule(WANGGAR, START)
    first = next(d for d in wanggar if d.milestone is Milestone.PERIOD_ENDS)
    assert first.at == datetime(2026, 4, 4, 15, tzinfo=UTC)  # midnight WIT into 5 April
    # 23.00 UTC on 4 January is already 5 January in Jakarta: the year's first day is the 5th.
    late = year_schedule(NATIONAL, datetime(2026, 1, 4, 23, tzinfo=UTC))
    assert next(d for d in late if d.milestone is Milestone.PERIOD_ENDS).at == datetime(
        2026, 4, 4, 17, tzinfo=UTC
    )


def test_every_date_falls_at_a_local_midnight() -> None:
    for policy in (NATIONAL, WANGGAR, TANJUNGBALAI, BUKITTINGGI):
        offset = ZONE_OFFSETS[policy.time_zone]
        for d in year_schedule(policy, START):
            local = d.at + offset
            assert (local.hour, local.minute) == (0, 0), (policy.name, d)


def test_unzoned_the_days_are_exact_durations_as_before() -> None:
    dates = year_schedule(NATIONAL, START, zoned=False)
    assert dates[0].at == datetime(2026, 2, 5, tzinfo=UTC)  # 31 days
    report = next(d for d in dates if d.milestone is Milestone.REPORT_DUE and d.period == 1)
    assert report.at == datetime(2026, 4, 15, tzinfo=UTC)  # 10 days after the period
    # 12 months, then 10 + 10 days of report and feedback, 21 of review, 10 of grace.
    assert review_deadline(NATIONAL, START, zoned=False) == datetime(2027, 2, 25, tzinfo=UTC)
    # Zoned, the same count ends at midnight WIB: START is 07.00 on the year's first day.
    assert review_deadline(NATIONAL, START) == datetime(2027, 2, 24, 17, tzinfo=UTC)
