"""Policies: the six presets, loading a city's own file, and the errors that name the field."""

from __future__ import annotations

import copy
import json
import re
import tomllib
from pathlib import Path
from typing import Any

import pytest

from appraisal_engine.domain.curve import NATIONAL_CURVE
from appraisal_engine.domain.errors import DomainError
from appraisal_engine.domain.outcome import AwardKind, OutcomeKind
from appraisal_engine.domain.policy import (
    DEFAULT_OUTCOMES,
    DEFAULT_TASK_RULES,
    Policy,
    ReportPeriod,
    load_policy,
    parse_policy,
)
from appraisal_engine.domain.presets import PRESETS, preset
from appraisal_engine.domain.ratings import Grade, Rating
from appraisal_engine.domain.tasks import ALLOWED_FALLBACKS, Fallback, TaskKind

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "policy.toml"
NAMES = ["national", "tebingtinggi", "bukittinggi", "tanjungbalai", "binjai", "wanggar"]


def example_data() -> dict[str, Any]:
    return tomllib.loads(EXAMPLE.read_text(encoding="utf-8"))


# --- presets ------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", NAMES)
def test_every_preset_validates_and_round_trips(name: str) -> None:
    p = preset(name)
    assert p.name == name
    assert p.title
    assert Policy.model_validate(p.model_dump()) == p
    assert parse_policy(json.loads(p.model_dump_json()), source=name) == p
    assert set(p.tasks) == set(TaskKind)
    assert set(p.outcomes) == set(Grade)
    assert p.curve == NATIONAL_CURVE
    assert p.cascading is True
    assert p.few_main_below_share == 0.34
    assert p.appeal_window_days == 14


def test_preset_lookup_lists_known_names() -> None:
    assert list(PRESETS) == NAMES
    with pytest.raises(DomainError, match="unknown policy 'medan'") as info:
        preset("medan")
    assert str(sorted(NAMES)) in str(info.value)


def _where(predicate: Any) -> set[str]:
    return {name for name, p in PRESETS.items() if predicate(p)}


def test_only_bukittinggi_asks_peers() -> None:
    assert _where(lambda p: p.peer.enabled) == {"bukittinggi"}
    peer = preset("bukittinggi").peer
    assert peer.quorum <= peer.peers_per_employee
    assert peer.anonymity_threshold >= 2


def test_only_tanjungbalai_reports_monthly() -> None:
    assert _where(lambda p: p.report_period is ReportPeriod.MONTHLY) == {"tanjungbalai"}
    assert _where(lambda p: p.report_period is ReportPeriod.QUARTERLY) == set(NAMES) - {
        "tanjungbalai"
    }
    # A monthly report must be due well within its month.
    assert preset("tanjungbalai").rule(TaskKind.SELF_REPORT).due_days < 30
    assert preset("tanjungbalai").rule(TaskKind.FEEDBACK).due_days < 30


def test_only_binjai_uses_community_feedback() -> None:
    assert _where(lambda p: p.community.enabled) == {"binjai"}
    assert preset("binjai").community.cap_below_floor is Rating.MEETS


def test_only_wanggar_asks_structured_reports_and_gives_three_award_kinds() -> None:
    assert _where(lambda p: p.structured_reports) == {"wanggar"}
    sb = preset("wanggar").outcomes[Grade.SANGAT_BAIK]
    assert sb.kind is OutcomeKind.AWARD
    # Certificate and incentive come with the award; ASN teladan is HR's nomination of a few.
    assert sorted(sb.awards) == sorted([AwardKind.CERTIFICATE, AwardKind.INCENTIVE])
    assert _where(lambda p: p.teladan.by_hr) == {"wanggar"}
    assert _where(lambda p: len(p.outcomes[Grade.SANGAT_BAIK].awards) == 2) == {"wanggar"}


def test_only_wanggar_has_mentor_rules_and_asks_both_skill_kinds() -> None:
    assert _where(lambda p: p.mentor.changes_matching) == {"wanggar"}
    mentor = preset("wanggar").mentor
    assert mentor.rules.min_service_years == 10 and not mentor.supervisor_may_mentor
    assert _where(lambda p: bool(p.development.required_skills)) == {"wanggar"}


def test_only_tebingtinggi_plans_name_a_follow_up_date() -> None:
    assert _where(lambda p: p.development.follow_up_required) == {"tebingtinggi"}


def test_a_policy_stored_before_the_new_settings_decides_as_before() -> None:
    stored = preset("national").model_dump(mode="json")
    for key in ("development", "teladan"):
        del stored[key]
    del stored["mentor"]["rules"], stored["mentor"]["supervisor_may_mentor"]
    old = parse_policy(stored)
    assert not old.mentor.changes_matching and not old.teladan.by_hr
    assert not old.development.follow_up_required and not old.development.required_skills


def test_teladan_by_hr_refuses_the_nomination_given_with_every_award() -> None:
    data = preset("wanggar").model_dump(mode="json")
    data["outcomes"]["sangat_baik"]["awards"].append("asn_teladan_nomination")
    with pytest.raises(DomainError, match=r"outcomes.sangat_baik.awards: .*teladan.by_hr"):
        parse_policy(data)


def test_tebingtinggi_trains_everyone_short_of_the_top() -> None:
    o = preset("tebingtinggi").outcomes
    assert o[Grade.SANGAT_BAIK].kind is OutcomeKind.AWARD
    for g in (Grade.BAIK, Grade.BUTUH_PERBAIKAN, Grade.KURANG):
        assert o[g].kind is OutcomeKind.DEVELOPMENT
    assert o[Grade.SANGAT_KURANG].kind is OutcomeKind.FORMAL_COACHING
    assert preset("national").outcomes[Grade.KURANG].kind is OutcomeKind.MENTORSHIP


def test_national_preset_is_the_defaults() -> None:
    p = preset("national")
    assert p.tasks == DEFAULT_TASK_RULES
    assert p.outcomes == DEFAULT_OUTCOMES
    assert not (p.peer.enabled or p.community.enabled or p.structured_reports)
    assert p.report_period is ReportPeriod.QUARTERLY


def test_default_task_rules_respect_the_allowed_fallbacks() -> None:
    for kind, rule in DEFAULT_TASK_RULES.items():
        assert rule.fallback in ALLOWED_FALLBACKS[kind]
        assert rule.remind_before_days < rule.due_days
    for kind in (TaskKind.TARGETS_DRAFT, TaskKind.TARGETS_APPROVE, TaskKind.REVIEW):
        assert ALLOWED_FALLBACKS[kind] == {Fallback.WAIT}


def test_report_period_counts() -> None:
    assert ReportPeriod.QUARTERLY.per_year == 4
    assert ReportPeriod.MONTHLY.per_year == 12


# --- the example file and its JSON twin -----------------------------------------------------------


def test_example_toml_loads_as_a_complete_custom_policy() -> None:
    p = load_policy(EXAMPLE)
    assert p.name == "kota-contoh"
    assert p.report_period is ReportPeriod.MONTHLY
    assert p.structured_reports is True
    assert (p.peer.enabled, p.peer.peers_per_employee, p.peer.quorum) == (True, 4, 3)
    assert [a.value for a in p.peer.aspects] == ["kolaboratif", "harmonis", "komunikasi"]
    assert (p.peer.behaviour_weight, p.peer.above_from, p.peer.below_under) == (0.25, 3.5, 2.5)
    assert (p.community.enabled, p.community.floor) == (True, 3.25)
    assert p.community.service_units is not None and "PKM-*" in p.community.service_units
    assert not p.community.serves_citizens("BKPSDM") and p.community.serves_citizens("PKM-A")
    assert (p.process.enabled, p.process.weight) == (True, 0.25)
    assert (p.indicators.enabled, p.indicators.attendance_floor) == (True, 95)
    assert (p.indicators.breaches_allowed, p.indicators.min_periods) == (2, 9)
    assert (p.mentor.capacity, p.mentor.max_offers) == (3, 2)
    assert p.outcomes[Grade.SANGAT_BAIK].awards == [AwardKind.CERTIFICATE, AwardKind.INCENTIVE]
    assert p.outcomes[Grade.KURANG].kind is OutcomeKind.COACHING
    assert p.outcomes[Grade.SANGAT_KURANG].improvement_months == 6
    assert p.rule(TaskKind.SELF_REPORT).due_days == 5
    assert p.curve == NATIONAL_CURVE
    # Every section is written out, not left to defaults.
    data = example_data()
    assert set(data) >= {"peer", "community", "mentor", "tasks", "outcomes", "curve"}
    assert set(data["tasks"]) == {k.value for k in TaskKind}
    assert load_policy(str(EXAMPLE)) == p


def test_equivalent_json_loads_to_the_same_policy(tmp_path: Path) -> None:
    path = tmp_path / "kota-contoh.json"
    path.write_text(json.dumps(example_data(), indent=2), encoding="utf-8")
    assert load_policy(path) == load_policy(EXAMPLE)


# --- errors name the field ------------------------------------------------------------------------


def _problem(data: dict[str, Any]) -> str:
    with pytest.raises(DomainError) as info:
        parse_policy(data, source="kota-contoh.toml")
    message = str(info.value)
    assert message.startswith("invalid policy in kota-contoh.toml: ")
    return message


def test_missing_task_kind_is_named() -> None:
    data = example_data()
    del data["tasks"]["review"]
    assert "tasks.review: missing" in _problem(data)


def test_partial_tasks_table_does_not_fall_back_to_defaults() -> None:
    data = example_data()
    data["tasks"] = {"self_report": data["tasks"]["self_report"]}
    assert "tasks.targets.draft: missing" in _problem(data)


@pytest.mark.parametrize(
    ("kind", "fallback"),
    [
        ("review", "record_missing"),
        ("targets.draft", "record_missing"),
        ("targets.approve", "uphold_grade"),
        ("peer_feedback", "wait"),
        ("mentorship.accept", "wait"),
        ("appeal.decide", "next_mentor"),
    ],
)
def test_fallback_not_allowed_for_its_kind_is_named(kind: str, fallback: str) -> None:
    data = example_data()
    data["tasks"][kind]["fallback"] = fallback
    allowed = sorted(f.value for f in ALLOWED_FALLBACKS[TaskKind(kind)])
    assert f"tasks.{kind}.fallback: must be one of {allowed}" in _problem(data)


def test_unknown_fallback_is_named() -> None:
    data = example_data()
    data["tasks"]["review"]["fallback"] = "approve_anyway"
    assert "tasks.review.fallback" in _problem(data)


@pytest.mark.parametrize("remind", [10, 12])
def test_reminder_not_before_deadline_is_named(remind: float) -> None:
    data = example_data()
    data["tasks"]["feedback"] |= {"due_days": 10, "remind_before_days": remind}
    assert "tasks.feedback: the reminder must come before the deadline" in _problem(data)


def test_reminder_just_before_deadline_is_fine() -> None:
    data = example_data()
    data["tasks"]["feedback"] |= {"due_days": 10, "remind_before_days": 9.5}
    assert parse_policy(data).rule(TaskKind.FEEDBACK).remind_before_days == 9.5


def test_quorum_above_peers_is_named() -> None:
    data = example_data()
    data["peer"] |= {"peers_per_employee": 3, "quorum": 4}
    assert "peer.quorum: cannot exceed peer.peers_per_employee" in _problem(data)


def test_missing_outcome_and_curve_entries_are_named() -> None:
    data = example_data()
    del data["outcomes"]["kurang"]
    assert "outcomes.kurang: missing" in _problem(data)
    data = example_data()
    del data["curve"]["istimewa"]
    assert "curve: missing unit ratings ['istimewa']" in _problem(data)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"report_period": "weekly"}, "report_period"),
        ({"name": "Kota Contoh"}, "name"),
        ({"few_main_below_share": 1.5}, "few_main_below_share"),
        ({"appeal_window_days": 0}, "appeal_window_days"),
        ({"colour": "blue"}, "colour"),
        ({"peer": {"enabled": True, "quorum": 0}}, "peer.quorum"),
        ({"community": {"enabled": True, "floor": 7}}, "community.floor"),
        ({"mentor": {"capacity": 0}}, "mentor.capacity"),
        ({"outcomes": {"baik": {"kind": "bonus"}}}, "outcomes.baik.kind"),
    ],
)
def test_field_errors_name_the_field(change: dict[str, Any], field: str) -> None:
    data = example_data() | change
    assert f"{field}: " in _problem(data)


def test_nested_errors_name_the_full_path() -> None:
    data = example_data()
    data["tasks"]["self_report"]["due_days"] = -1
    data["curve"]["baik"][1]["min_count"] = -2
    message = _problem(data)
    # Every problem is listed, each under its own path.
    assert "tasks.self_report.due_days: " in message
    assert "curve.baik.1.min_count: " in message


def test_unquoted_dotted_task_name_is_caught() -> None:
    # `[tasks.targets.draft]` without quotes makes a nested table, not the "targets.draft" kind.
    text = EXAMPLE.read_text(encoding="utf-8").replace(
        '[tasks."targets.draft"]', "[tasks.targets.draft]"
    )
    data = tomllib.loads(text)
    assert "tasks.targets" in _problem(data)


def test_not_a_mapping_is_rejected() -> None:
    with pytest.raises(DomainError, match="invalid policy in policy: \\(policy\\): "):
        parse_policy(["national"])


def test_policy_errors_are_domain_errors_and_value_errors() -> None:
    data = example_data()
    del data["tasks"]["review"]
    with pytest.raises(ValueError) as info:
        parse_policy(data)
    assert isinstance(info.value, DomainError)


# --- files that cannot be read ------------------------------------------------------------------


def test_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(DomainError, match=re.escape("cannot read policy nowhere.toml")):
        load_policy(tmp_path / "nowhere.toml")


def test_directory_is_not_a_policy(tmp_path: Path) -> None:
    with pytest.raises(DomainError, match="cannot read policy"):
        load_policy(tmp_path)


@pytest.mark.parametrize(
    ("filename", "content"),
    [
        ("bad.toml", b'name = "kota-contoh"\ntitle = \n'),
        ("bad.toml", b"\xff\xfe\x00garbage"),
        ("bad.json", b'{"name": "kota-contoh",'),
        ("bad.json", b"\xff\xfe\x00garbage"),
        ("empty.json", b""),
    ],
)
def test_unparseable_file_is_named(tmp_path: Path, filename: str, content: bytes) -> None:
    path = tmp_path / filename
    path.write_bytes(content)
    with pytest.raises(DomainError, match=re.escape(f"cannot read policy {filename}")):
        load_policy(path)


def test_invalid_content_names_the_file_and_field(tmp_path: Path) -> None:
    data = copy.deepcopy(example_data())
    data["tasks"]["review"]["fallback"] = "record_missing"
    path = tmp_path / "kota.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(DomainError) as info:
        load_policy(path)
    assert "invalid policy in kota.json" in str(info.value)
    assert "tasks.review.fallback: must be one of ['wait']" in str(info.value)
