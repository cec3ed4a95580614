"""Who hears an appeal: the appraiser's superior, or the policy's appeals officer where the
appraiser would otherwise decide the appeal of their own review."""

from __future__ import annotations

from pathlib import Path

import pytest

from appraisal_engine.domain.appeals import (
    APPEALS_OFFICER_FIELD,
    appeal_hearer,
    check_chain,
    launch_problems,
    superior_in,
)
from appraisal_engine.domain.employee import Employee, PositionLevel
from appraisal_engine.domain.errors import DomainError
from appraisal_engine.domain.launch import LaunchRefused, check_launch
from appraisal_engine.domain.policy import load_policy, parse_policy
from appraisal_engine.domain.presets import NATIONAL
from appraisal_engine.domain.roster import Roster

REGIONAL_HEAD = "196501011990011001"
OFFICER = "196601011985031001"  # the regional secretary (Sekda), who hears the heads' appeals
HEAD_A = "197001012000011001"
HEAD_B = "197102022001122002"
STAFF = "198003032005031003"
EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "policy.toml"


def person(nip: str, unit: str, supervisor: str | None) -> Employee:
    return Employee(
        nip=nip,
        name=f"Pegawai {nip[-3:]}",
        unit_code=unit,
        unit_name=f"Dinas {unit}",
        position="Kepala" if supervisor is None else "Staf",
        position_level=PositionLevel.JPT if supervisor is None else PositionLevel.PELAKSANA,
        supervisor_nip=supervisor,
    )


ROSTER = Roster(
    employees=[person(HEAD_A, "A", None), person(HEAD_B, "B", None), person(STAFF, "A", HEAD_A)],
    top_appraiser_nip=REGIONAL_HEAD,
)
WITH_OFFICER = NATIONAL.model_copy(
    update={"regional_head_nip": REGIONAL_HEAD, "appeals_officer_nip": OFFICER}
)


# --- the rule for one employee ------------------------------------------------------------------


def test_a_superior_other_than_the_appraiser_hears_the_appeal_officer_or_not() -> None:
    assert appeal_hearer(None, STAFF, HEAD_A, REGIONAL_HEAD) == REGIONAL_HEAD
    assert appeal_hearer(OFFICER, STAFF, HEAD_A, REGIONAL_HEAD) == REGIONAL_HEAD


def test_where_the_appraiser_is_also_the_superior_the_officer_hears_the_appeal() -> None:
    assert appeal_hearer(OFFICER, HEAD_A, REGIONAL_HEAD, REGIONAL_HEAD) == OFFICER


def test_without_an_officer_the_appraiser_may_not_hear_the_appeal() -> None:
    with pytest.raises(DomainError) as info:
        appeal_hearer(None, HEAD_A, REGIONAL_HEAD, REGIONAL_HEAD)
    assert info.value.field == APPEALS_OFFICER_FIELD == "appeals_officer_nip"
    assert REGIONAL_HEAD in info.value.reason


def test_the_officer_may_be_neither_the_appraiser_nor_the_employee() -> None:
    with pytest.raises(DomainError) as info:
        appeal_hearer(REGIONAL_HEAD, HEAD_A, REGIONAL_HEAD, REGIONAL_HEAD)
    assert info.value.field == APPEALS_OFFICER_FIELD
    with pytest.raises(DomainError) as info:
        appeal_hearer(HEAD_A, HEAD_A, REGIONAL_HEAD, REGIONAL_HEAD)
    assert info.value.field == APPEALS_OFFICER_FIELD


def test_the_chain_rule_refuses_self_appraisal_and_one_person_in_both_places() -> None:
    check_chain(STAFF, HEAD_A, REGIONAL_HEAD)
    with pytest.raises(DomainError) as info:
        check_chain(STAFF, STAFF, REGIONAL_HEAD)
    assert info.value.field == "supervisor_nip"
    with pytest.raises(DomainError) as info:
        check_chain(STAFF, HEAD_A, STAFF)
    assert info.value.field == "supervisor_nip"
    with pytest.raises(DomainError) as info:
        check_chain(STAFF, HEAD_A, HEAD_A)
    assert info.value.field == "superior_nip"


# --- a roster under a policy ----------------------------------------------------------------------


def test_the_heads_at_the_top_have_the_officer_as_superior_their_staff_the_regional_head() -> None:
    assert superior_in(WITH_OFFICER, ROSTER, HEAD_A) == OFFICER
    assert superior_in(WITH_OFFICER, ROSTER, HEAD_B) == OFFICER
    assert superior_in(WITH_OFFICER, ROSTER, STAFF) == REGIONAL_HEAD
    assert launch_problems(ROSTER, OFFICER) == []
    check_launch(ROSTER, OFFICER)


def test_heads_at_the_top_without_an_officer_refuse_the_launch_naming_field_and_nips() -> None:
    problems = launch_problems(ROSTER, None)
    assert [(p.nip, p.field) for p in problems] == [
        (HEAD_A, APPEALS_OFFICER_FIELD),
        (HEAD_B, APPEALS_OFFICER_FIELD),
    ]
    with pytest.raises(LaunchRefused) as info:
        check_launch(ROSTER, None)
    message = str(info.value)
    assert info.value.field == APPEALS_OFFICER_FIELD and info.value.problems == problems
    assert message.startswith("appeals_officer_nip: ")
    assert HEAD_A in message and HEAD_B in message and STAFF not in message
    assert "Pegawai" not in message  # NIPs only, no names


def test_an_officer_who_heads_the_roster_cannot_hear_their_own_appeal() -> None:
    policy = WITH_OFFICER.model_copy(update={"appeals_officer_nip": HEAD_B})
    problems = launch_problems(ROSTER, HEAD_B)
    assert [(p.nip, p.field) for p in problems] == [(HEAD_B, APPEALS_OFFICER_FIELD)]
    assert superior_in(policy, ROSTER, HEAD_A) == HEAD_B


def test_a_roster_without_a_regional_head_names_that_field() -> None:
    roster = Roster(employees=ROSTER.employees)
    problems = launch_problems(roster, OFFICER)
    assert {(p.nip, p.field) for p in problems} == {
        (HEAD_A, "regional_head_nip"),
        (HEAD_B, "regional_head_nip"),
        (STAFF, "regional_head_nip"),
    }
    with pytest.raises(LaunchRefused, match="regional_head_nip"):
        check_launch(roster, OFFICER)


def test_many_affected_employees_are_counted_not_all_listed() -> None:
    heads = [person(f"19700101200001{1 + i % 2}{i + 1:03d}", f"U{i}", None) for i in range(30)]
    roster = Roster(employees=heads, top_appraiser_nip=REGIONAL_HEAD)
    with pytest.raises(LaunchRefused) as info:
        check_launch(roster, None)
    assert len(info.value.problems) == 30 and "and 20 more" in str(info.value)


# --- the policy field -----------------------------------------------------------------------------


def test_the_policy_names_the_officer_as_a_valid_nip_other_than_the_regional_head() -> None:
    base = {"name": "kota", "title": "Kota", "regional_head_nip": REGIONAL_HEAD}
    assert parse_policy({**base, "appeals_officer_nip": OFFICER}).appeals_officer_nip == OFFICER
    assert parse_policy(base).appeals_officer_nip is None
    with pytest.raises(DomainError, match="appeals_officer_nip"):
        parse_policy({**base, "appeals_officer_nip": "123"})
    with pytest.raises(DomainError, match="appeals_officer_nip"):
        parse_policy({**base, "appeals_officer_nip": REGIONAL_HEAD})


def test_the_example_policy_file_documents_the_officer(tmp_path: Path) -> None:
    text = EXAMPLE.read_text(encoding="utf-8")
    assert "# appeals_officer_nip = " in text
    path = tmp_path / "kota.toml"
    uncommented = text.replace("# regional_head_nip = ", "regional_head_nip = ")
    path.write_text(uncommented.replace("# appeals_officer_nip = ", "appeals_officer_nip = "))
    policy = load_policy(path)
    assert policy.appeals_officer_nip is not None
    assert policy.appeals_officer_nip != policy.regional_head_nip
