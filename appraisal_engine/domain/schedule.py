"""The year's schedule as a policy sets it: when each report period ends and when its tasks
are due, counted from the year's start, and when calibration opens for every unit at the
latest. HR reads it on the cycle's dashboard; the cycle waits for the same review deadline."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from appraisal_engine.domain.calendar import closes_after, days, period_ends
from appraisal_engine.domain.model import Value
from appraisal_engine.domain.policy import Policy
from appraisal_engine.domain.tasks import TaskKind


class Milestone(StrEnum):
    """A date of the year."""

    TARGETS_DUE = "targets_due"
    APPROVAL_DUE = "approval_due"
    PERIOD_ENDS = "period_ends"
    REPORT_DUE = "report_due"
    FEEDBACK_DUE = "feedback_due"
    PEER_INPUT_DUE = "peer_input_due"
    REVIEW_DUE = "review_due"
    CALIBRATION_OPENS = "calibration_opens"


class Date(Value):
    """One milestone (of a report period, for a period's own)."""

    milestone: Milestone
    at: datetime
    period: int | None = None


class DayCount:
    """How the year counts a policy's days: on the organisation's clock, to the end of the
    last day, or (appraisals started before zones) as exact durations."""

    def __init__(self, policy: Policy, *, zoned: bool = True) -> None:
        self.policy, self.zone = policy, policy.time_zone if zoned else None

    def due(self, opened: datetime, kind: TaskKind) -> datetime:
        """When a task of `kind` opened at `opened` is due."""
        return self.after(opened, self.policy.rule(kind).due_days)

    def after(self, opened: datetime, n_days: float) -> datetime:
        """`n_days` of the policy's from `opened`."""
        if self.zone is None:
            return opened + days(n_days)
        return closes_after(opened, n_days, self.zone)

    def period_ends(self, year_start: datetime) -> list[datetime]:
        """When each of the year's report periods ends."""
        return period_ends(year_start, self.policy.report_period.per_year, self.zone)


def review_deadline(policy: Policy, year_start: datetime, *, zoned: bool = True) -> datetime:
    """When every review of the year is due at the latest, escalation included: the last
    period's report and feedback, the peers' answers where the policy asks for them, then the
    review and its grace. Calibration opens for every unit by then."""
    return year_schedule(policy, year_start, zoned=zoned)[-1].at


def year_schedule(policy: Policy, year_start: datetime, *, zoned: bool = True) -> list[Date]:
    """The year's milestones in date order, each at the latest a task answered on time
    allows: a report is asked for when its period ends, its feedback once it is in."""
    clock = DayCount(policy, zoned=zoned)
    drafted = clock.due(year_start, TaskKind.TARGETS_DRAFT)
    dates = [
        Date(milestone=Milestone.TARGETS_DUE, at=drafted),
        Date(milestone=Milestone.APPROVAL_DUE, at=clock.due(drafted, TaskKind.TARGETS_APPROVE)),
    ]
    for n, end in enumerate(clock.period_ends(year_start), start=1):
        reported = clock.due(end, TaskKind.SELF_REPORT)
        dates += [
            Date(milestone=Milestone.PERIOD_ENDS, at=end, period=n),
            Date(milestone=Milestone.REPORT_DUE, at=reported, period=n),
            Date(
                milestone=Milestone.FEEDBACK_DUE,
                at=clock.due(reported, TaskKind.FEEDBACK),
                period=n,
            ),
        ]
    reviews_open = dates[-1].at
    if policy.peer.enabled:
        reviews_open = clock.due(reviews_open, TaskKind.PEER_FEEDBACK)
        dates.append(Date(milestone=Milestone.PEER_INPUT_DUE, at=reviews_open))
    reviewed = clock.due(reviews_open, TaskKind.REVIEW)
    dates += [
        Date(milestone=Milestone.REVIEW_DUE, at=reviewed),
        Date(
            milestone=Milestone.CALIBRATION_OPENS,
            at=clock.after(reviewed, policy.rule(TaskKind.REVIEW).escalation_days),
        ),
    ]
    return sorted(dates, key=lambda d: d.at)
