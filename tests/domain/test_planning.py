"""Planning's rules: the leader's expectations and the performance dialogue, at their bounds."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from pydantic import ValidationError

from appraisal_engine.domain.calendar import local_date
from appraisal_engine.domain.errors import DomainError
from appraisal_engine.domain.planning import (
    Expectations,
    PerformanceDialogue,
    PlanningPolicy,
    check_plan_decision,
)
from appraisal_engine.domain.policy import Policy, parse_policy
from appraisal_engine.domain.presets import PRESETS
from appraisal_engine.domain.ratings import Dimension
from appraisal_engine.simulator.scripted import EXPECTATIONS
from appraisal_engine.workflows.messages import TargetsApproveBody

TODAY = date(2026, 1, 20)
STRICT = PlanningPolicy(expectations_required=True, dialogue_required=True)
AGREED = PerformanceDialogue(held_on=TODAY, agreed=True)


def refusal(*args: object) -> DomainError:
    with pytest.raises(DomainError) as err:
        check_plan_decision(*args)  # type: ignore[arg-type]
    return err.value


def test_default_policy_approves_as_before_without_dialogue_or_expectations() -> None:
    check_plan_decision("approve", {}, None, PlanningPolicy(), TODAY)
    # A stored policy without the setting reads as today's behaviour.
    stored = Policy.model_validate({"name": "old", "title": "launched before planning rules"})
    assert stored.planning == PlanningPolicy()


def test_required_dialogue_refuses_approval_without_it_and_names_the_field() -> None:
    e = refusal("approve", EXPECTATIONS, None, STRICT, TODAY)
    assert e.field == "dialogue"
    assert "performance dialogue" in str(e)
    check_plan_decision("approve", EXPECTATIONS, AGREED, STRICT, TODAY)


def test_returning_a_plan_needs_no_dialogue_nor_expectations() -> None:
    check_plan_decision("return", {}, None, STRICT, TODAY)


def test_every_value_needs_its_expectation_when_required_one_missing_is_named() -> None:
    six: Expectations = {d: t for d, t in EXPECTATIONS.items() if d is not Dimension.KOLABORATIF}
    e = refusal("approve", six, AGREED, STRICT, TODAY)
    assert e.field == "expectations" and "kolaboratif" in str(e) and "loyal" not in str(e)
    check_plan_decision("approve", EXPECTATIONS, AGREED, STRICT, TODAY)
    # Only the dialogue required: partial expectations are kept as given.
    check_plan_decision("approve", six, AGREED, PlanningPolicy(dialogue_required=True), TODAY)


def test_a_dialogue_may_be_held_today_but_not_tomorrow() -> None:
    tomorrow = PerformanceDialogue(held_on=TODAY + timedelta(days=1), agreed=True)
    e = refusal("approve", EXPECTATIONS, tomorrow, STRICT, TODAY)
    assert e.field == "dialogue.held_on" and "2026-01-20" in str(e)
    # Dated in the future is refused even when returning, and under the default policy.
    assert refusal("return", {}, tomorrow, PlanningPolicy(), TODAY).field == "dialogue.held_on"
    check_plan_decision("approve", EXPECTATIONS, AGREED, STRICT, TODAY)


def test_a_disagreement_needs_notes_and_may_still_be_approved() -> None:
    bare = PerformanceDialogue(held_on=TODAY, agreed=False)
    assert refusal("approve", EXPECTATIONS, bare, STRICT, TODAY).field == "dialogue.notes"
    noted = PerformanceDialogue(
        held_on=TODAY, agreed=False, notes="Target T2 dinilai terlalu tinggi"
    )
    check_plan_decision("approve", EXPECTATIONS, noted, STRICT, TODAY)


def test_expectation_length_bounds_in_the_body() -> None:
    body = {"decision": "approve", "expectations": {"akuntabel": "abc"}}
    assert TargetsApproveBody.model_validate(body).expectations == {Dimension.AKUNTABEL: "abc"}
    for bad in ("ab", "x" * 1001):
        with pytest.raises(ValidationError):
            TargetsApproveBody.model_validate({**body, "expectations": {"akuntabel": bad}})
    TargetsApproveBody.model_validate({**body, "expectations": {"akuntabel": "x" * 1000}})
    with pytest.raises(ValidationError):
        TargetsApproveBody.model_validate({**body, "expectations": {"integritas": "jujur"}})


def test_local_date_follows_the_organisations_zone() -> None:
    late = datetime(2026, 1, 20, 16, 30, tzinfo=UTC)  # 23:30 WIB, 00:30 WIT the next day
    assert local_date(late, "Asia/Jakarta") == date(2026, 1, 20)
    assert local_date(late, "Asia/Jayapura") == date(2026, 1, 21)


def test_policy_file_may_set_planning_and_rejects_unknown_keys() -> None:
    data = {"name": "x", "title": "x", "planning": {"dialogue_required": True}}
    assert parse_policy(data).planning == PlanningPolicy(dialogue_required=True)
    with pytest.raises(DomainError, match=r"planning\.dialog"):
        parse_policy({**data, "planning": {"dialog": True}})


def test_every_preset_keeps_todays_approval() -> None:
    # Opting a preset in changes what its running cycles accept; see the README's planning rules.
    for name, policy in PRESETS.items():
        assert policy.planning == PlanningPolicy(), name
