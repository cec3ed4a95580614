"""The year's schedule as a policy sets it: when each report period ends and when its tasks
are due, counted from the year's start, and when calibration opens for every unit at the
latest. HR reads it on the cycle's dashboard; the cycle waits for the same review deadline."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from appraisal_engine.domain.calendar import add_months, days, period_ends
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


def review_deadline(policy: Policy, year_start: datetime) -> datetime:
    """When every review of the year is due at the latest, escalation included: the last
    period's report and feedback, the peers' answers where the policy asks for them, then the
    review and its grace. Calibration opens for every unit by then."""
    rule = policy.rule
    slack = rule(TaskKind.SELF_REPORT).due_days + rule(TaskKind.FEEDBACK).due_days
    if policy.peer.enabled:
        slack += rule(TaskKind.PEER_FEEDBACK).due_days
    slack += rule(TaskKind.REVIEW).due_days + rule(TaskKind.REVIEW).escalation_days
    return add_months(year_start, 12) + days(slack)


def year_schedule(policy: Policy, year_start: datetime) -> list[Date]:
    """The year's milestones in date order, each at the latest a task answered on time
    allows: a report is asked for when its period ends, its feedback once it is in."""
    rule = policy.rule
    drafted = year_start + days(rule(TaskKind.TARGETS_DRAFT).due_days)
    dates = [
        Date(milestone=Milestone.TARGETS_DUE, at=drafted),
        Date(
            milestone=Milestone.APPROVAL_DUE,
            at=drafted + days(rule(TaskKind.TARGETS_APPROVE).due_days),
        ),
    ]
    ends = period_ends(year_start, policy.report_period.per_year)
    for n, end in enumerate(ends, start=1):
        reported = end + days(rule(TaskKind.SELF_REPORT).due_days)
        dates += [
            Date(milestone=Milestone.PERIOD_ENDS, at=end, period=n),
            Date(milestone=Milestone.REPORT_DUE, at=reported, period=n),
            Date(
                milestone=Milestone.FEEDBACK_DUE,
                at=reported + days(rule(TaskKind.FEEDBACK).due_days),
                period=n,
            ),
        ]
    reviews_open = dates[-1].at
    if policy.peer.enabled:
        reviews_open += days(rule(TaskKind.PEER_FEEDBACK).due_days)
        dates.append(Date(milestone=Milestone.PEER_INPUT_DUE, at=reviews_open))
    dates += [
        Date(
            milestone=Milestone.REVIEW_DUE,
            at=reviews_open + days(rule(TaskKind.REVIEW).due_days),
        ),
        Date(milestone=Milestone.CALIBRATION_OPENS, at=review_deadline(policy, year_start)),
    ]
    return sorted(dates, key=lambda d: d.at)
