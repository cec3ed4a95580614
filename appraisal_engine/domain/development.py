"""Development plans: what follows a development, mentorship or coaching outcome, as a record of
what is planned (a technical or soft skill, the course, by when) and whether it happened."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from pydantic import Field

from appraisal_engine.domain.calendar import Zone
from appraisal_engine.domain.errors import DomainError
from appraisal_engine.domain.model import Value
from appraisal_engine.domain.outcome import OutcomeKind


class SkillKind(StrEnum):
    """What an item develops."""

    TECHNICAL = "technical"  # keterampilan teknis
    SOFT = "soft"  # soft skill: communication, leadership


class DevelopmentPolicy(Value):
    """Which outcomes a supervisor may plan development for, and what a plan must hold."""

    plan_outcomes: list[OutcomeKind] = Field(
        default_factory=lambda: [
            OutcomeKind.DEVELOPMENT,
            OutcomeKind.MENTORSHIP,
            OutcomeKind.COACHING,
            OutcomeKind.FORMAL_COACHING,
        ],
        description="the outcomes that may carry a development plan",
    )
    follow_up_required: bool = Field(
        default=False, description="a plan names the date its supervisor follows it up"
    )
    follow_up_within_days: int = Field(
        default=365, ge=1, le=730, description="how far after planning the follow-up may be"
    )
    required_skills: list[SkillKind] = Field(
        default_factory=list, description="skill kinds every plan must include"
    )
    max_items: int = Field(default=10, ge=1, le=50)


class PlanItem(Value):
    """One planned step: a course or training for a technical or soft skill, due by a date."""

    kind: SkillKind
    course: str = Field(min_length=1, max_length=200)
    due_on: date


class FollowUp(Value):
    """Whether a planned item happened, said by whom and when; `late` when said after its date."""

    done: bool
    note: str = ""
    at: datetime
    by: str
    late: bool


class PlannedItem(PlanItem):
    """An item of a stored plan, with its follow-up once recorded."""

    follow_up: FollowUp | None = None

    def overdue(self, today: date) -> bool:
        """Its date has passed and nobody said whether it happened."""
        return self.follow_up is None and today > self.due_on


class DevelopmentPlan(Value):
    """One employee's development plan for one appraisal."""

    appraisal_id: str
    cycle_id: str | None
    employee_nip: str
    outcome_kind: OutcomeKind
    planned_by: str
    planned_at: datetime
    follow_up_on: date | None = None
    time_zone: Zone = "Asia/Jakarta"
    items: list[PlannedItem]
    updated_at: datetime

    def follow_up_overdue(self, today: date) -> bool:
        """The follow-up date has passed with an item still not followed up."""
        pending = any(i.follow_up is None for i in self.items)
        return self.follow_up_on is not None and today > self.follow_up_on and pending


def check_plan(
    policy: DevelopmentPolicy,
    outcome: OutcomeKind,
    items: list[PlanItem],
    follow_up_on: date | None,
    today: date,
) -> list[DomainError]:
    """Every reason the plan cannot stand, each naming its field; empty when it can."""
    if outcome not in policy.plan_outcomes:
        return [
            DomainError(
                "a %(kind)s outcome has no development plan under this policy",
                values={"kind": outcome.value},
            )
        ]
    problems: list[DomainError] = []
    if not items:
        problems.append(DomainError("a plan needs at least one item", field="items"))
    if len(items) > policy.max_items:
        problems.append(
            DomainError("at most %(n)s items", field="items", values={"n": policy.max_items})
        )
    for n, item in enumerate(items):
        if item.due_on < today:
            problems.append(DomainError("must not be before today", field=f"items.{n}.due_on"))
    missing = [k.value for k in policy.required_skills if k not in {i.kind for i in items}]
    if missing:
        problems.append(
            DomainError(
                "this policy's plans include %(kinds)s skills",
                field="items",
                values={"kinds": ", ".join(missing)},
            )
        )
    problems += _check_follow_up(policy, items, follow_up_on, today)
    return problems


def _check_follow_up(
    policy: DevelopmentPolicy, items: list[PlanItem], on: date | None, today: date
) -> list[DomainError]:
    if on is None:
        if policy.follow_up_required:
            return [DomainError("this policy's plans name a follow-up date", field="follow_up_on")]
        return []
    if on < today:
        return [DomainError("must not be before today", field="follow_up_on")]
    if (on - today).days > policy.follow_up_within_days:
        return [
            DomainError(
                "must be within %(days)s days of today",
                field="follow_up_on",
                values={"days": policy.follow_up_within_days},
            )
        ]
    last = max((i.due_on for i in items), default=None)
    if last is not None and on < last:
        # The follow-up asks whether every item happened: it comes after the last one is due.
        return [
            DomainError(
                "must not be before the last item's date (%(last)s)",
                field="follow_up_on",
                values={"last": last.isoformat()},
            )
        ]
    return []
