"""Development plans: which outcomes may carry one, what a plan must hold under each policy, and
when an item or the follow-up is overdue, each at its boundary."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from appraisal_engine.domain.development import (
    DevelopmentPlan,
    DevelopmentPolicy,
    FollowUp,
    PlanItem,
    PlannedItem,
    SkillKind,
    check_plan,
)
from appraisal_engine.domain.errors import DomainError
from appraisal_engine.domain.outcome import OutcomeKind
from appraisal_engine.domain.presets import preset

TODAY = date(2026, 2, 2)
ANY = DevelopmentPolicy()
K = OutcomeKind


def item(days: int = 30, kind: SkillKind = SkillKind.TECHNICAL) -> PlanItem:
    return PlanItem(kind=kind, course="Pelatihan arsip digital", due_on=TODAY + timedelta(days))


def fields(problems: list[DomainError]) -> list[str | None]:
    return [p.field for p in problems]


@pytest.mark.parametrize("kind", [K.DEVELOPMENT, K.MENTORSHIP, K.COACHING, K.FORMAL_COACHING])
def test_every_outcome_short_of_an_award_may_carry_a_plan(kind: OutcomeKind) -> None:
    assert check_plan(ANY, kind, [item()], None, TODAY) == []


def test_an_award_carries_no_plan_by_default() -> None:
    (problem,) = check_plan(ANY, K.AWARD, [item()], None, TODAY)
    assert "award outcome has no development plan" in str(problem)


def test_a_plan_needs_an_item_and_at_most_the_policy_s_number() -> None:
    assert fields(check_plan(ANY, K.DEVELOPMENT, [], None, TODAY)) == ["items"]
    two = DevelopmentPolicy(max_items=2)
    assert check_plan(two, K.DEVELOPMENT, [item(), item()], None, TODAY) == []
    assert fields(check_plan(two, K.DEVELOPMENT, [item()] * 3, None, TODAY)) == ["items"]


def test_an_item_may_be_due_today_but_not_yesterday() -> None:
    assert check_plan(ANY, K.DEVELOPMENT, [item(0)], None, TODAY) == []
    problems = check_plan(ANY, K.DEVELOPMENT, [item(0), item(-1)], None, TODAY)
    assert fields(problems) == ["items.1.due_on"]


def test_tebingtinggi_asks_a_follow_up_date_within_its_half_year() -> None:
    policy = preset("tebingtinggi").development
    assert fields(check_plan(policy, K.DEVELOPMENT, [item()], None, TODAY)) == ["follow_up_on"]
    last_day = TODAY + timedelta(days=183)
    assert check_plan(policy, K.DEVELOPMENT, [item()], last_day, TODAY) == []
    late = check_plan(policy, K.DEVELOPMENT, [item()], last_day + timedelta(1), TODAY)
    assert fields(late) == ["follow_up_on"] and "within 183 days" in str(late[0])


def test_the_follow_up_comes_on_or_after_the_last_item_s_date() -> None:
    on_the_day = check_plan(ANY, K.DEVELOPMENT, [item(10), item(40)], TODAY + timedelta(40), TODAY)
    assert on_the_day == []
    early = check_plan(ANY, K.DEVELOPMENT, [item(10), item(40)], TODAY + timedelta(39), TODAY)
    assert fields(early) == ["follow_up_on"] and "2026-03-14" in str(early[0])
    past = check_plan(ANY, K.DEVELOPMENT, [item(0)], TODAY - timedelta(1), TODAY)
    assert fields(past) == ["follow_up_on"]


def test_wanggar_plans_train_technical_and_soft_skills() -> None:
    policy = preset("wanggar").development
    (problem,) = check_plan(policy, K.MENTORSHIP, [item(), item()], None, TODAY)
    assert problem.field == "items" and "soft" in str(problem)
    both = [item(), item(kind=SkillKind.SOFT)]
    assert check_plan(policy, K.MENTORSHIP, both, None, TODAY) == []


def test_an_item_is_overdue_the_day_after_its_date_until_followed_up() -> None:
    planned = PlannedItem(**item(0).model_dump())
    assert not planned.overdue(TODAY)
    assert planned.overdue(TODAY + timedelta(1))
    said = FollowUp(done=False, at=datetime(2026, 2, 3, tzinfo=UTC), by="x", late=True)
    assert not planned.model_copy(update={"follow_up": said}).overdue(TODAY + timedelta(1))


def test_a_plan_s_follow_up_is_overdue_after_its_date_with_an_item_pending() -> None:
    at = datetime(2026, 2, 2, tzinfo=UTC)
    pending = PlannedItem(**item(0).model_dump())
    plan = DevelopmentPlan(
        appraisal_id="a",
        cycle_id=None,
        employee_nip="n",
        outcome_kind=K.DEVELOPMENT,
        planned_by="s",
        planned_at=at,
        follow_up_on=TODAY,
        items=[pending],
        updated_at=at,
    )
    assert not plan.follow_up_overdue(TODAY)
    assert plan.follow_up_overdue(TODAY + timedelta(1))
    done = FollowUp(done=True, at=at, by="s", late=False)
    followed = plan.model_copy(update={"items": [pending.model_copy(update={"follow_up": done})]})
    assert not followed.follow_up_overdue(TODAY + timedelta(1))
