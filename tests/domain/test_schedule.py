"""The year's schedule: periods and deadlines counted from the year's start as the policy sets
them, in date order, ending where the cycle opens calibration for every unit."""

from __future__ import annotations

from datetime import UTC, datetime

from appraisal_engine.domain.presets import BUKITTINGGI, NATIONAL, TANJUNGBALAI
from appraisal_engine.domain.schedule import Milestone, review_deadline, year_schedule

START = datetime(2026, 1, 5, tzinfo=UTC)


def test_a_quarterly_year_has_four_periods_each_with_its_report_and_feedback() -> None:
    dates = year_schedule(NATIONAL, START)
    assert [d.at for d in dates] == sorted(d.at for d in dates)
    ends = [d for d in dates if d.milestone is Milestone.PERIOD_ENDS]
    assert [(d.period, d.at.month) for d in ends] == [(1, 4), (2, 7), (3, 10), (4, 1)]
    assert dates[0].milestone is Milestone.TARGETS_DUE
    assert dates[0].at == datetime(2026, 2, 5, tzinfo=UTC)  # 31 days
    report = next(d for d in dates if d.milestone is Milestone.REPORT_DUE and d.period == 1)
    assert report.at == datetime(2026, 4, 15, tzinfo=UTC)  # 10 days after the period
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
