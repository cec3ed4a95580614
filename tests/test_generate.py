"""The fictional city roster: valid, deterministic, one head per office, a realistic pyramid."""

from __future__ import annotations

from collections import Counter, defaultdict

import pytest

from appraisal_engine.domain.employee import Employee, PositionLevel
from appraisal_engine.domain.levels import may_supervise
from appraisal_engine.domain.nip import AsnKind, parse_nip
from appraisal_engine.domain.roster import Roster, parse_roster, validate_roster
from appraisal_engine.simulator.roster import generate_roster, roster_csv

MAYOR = "196805172000031001"
L = PositionLevel
# Who may supervise whom in the generated pyramid.
ABOVE = {
    L.ADMINISTRATOR: {L.JPT},
    L.PENGAWAS: {L.ADMINISTRATOR},
    L.PELAKSANA: {L.PENGAWAS, L.ADMINISTRATOR, L.JPT},
    L.FUNGSIONAL: {L.PENGAWAS, L.ADMINISTRATOR, L.JPT},
}


def validated(employees: list[Employee]) -> Roster:
    return validate_roster([e.model_dump() for e in employees], top_appraiser_nip=MAYOR)


@pytest.fixture(scope="module")
def city() -> list[Employee]:
    return generate_roster(2000)


def test_the_roster_validates_and_keeps_its_order(city: list[Employee]) -> None:
    roster = validated(city)
    assert roster.employees == city
    assert len(city) == 2000


def test_the_same_seed_gives_the_same_roster_and_another_seed_another(
    city: list[Employee],
) -> None:
    assert generate_roster(2000) == city
    other = generate_roster(2000, seed=1)
    assert other != city
    assert validated(other).checksum != validated(city).checksum


def test_every_office_has_exactly_one_head_at_the_top(city: list[Employee]) -> None:
    unit_of = {e.nip: e.unit_code for e in city}
    heads: dict[str, list[Employee]] = defaultdict(list)
    for e in city:
        if e.supervisor_nip is None or unit_of[e.supervisor_nip] != e.unit_code:
            heads[e.unit_code].append(e)
    assert set(heads) == {e.unit_code for e in city}
    for unit, people in heads.items():
        assert len(people) == 1, unit
        [head] = people
        assert head.supervisor_nip is None and head.position_level is L.JPT
    assert len(heads) == 13  # 2000 people: about 150 per office
    assert len({e.unit_name for e in city}) == len(heads)


def test_levels_form_a_pyramid(city: list[Employee]) -> None:
    count = Counter(e.position_level for e in city)
    staff = count[L.PELAKSANA] + count[L.FUNGSIONAL]
    assert count[L.JPT] < count[L.ADMINISTRATOR] < count[L.PENGAWAS] < staff
    assert 2 * count[L.JPT] <= count[L.ADMINISTRATOR] <= 4 * count[L.JPT]
    assert 2 * count[L.ADMINISTRATOR] <= count[L.PENGAWAS] <= 4 * count[L.ADMINISTRATOR]
    assert count[L.PELAKSANA] > 0 and count[L.FUNGSIONAL] > 0
    level_of = {e.nip: e.position_level for e in city}
    for e in city:
        if e.supervisor_nip is not None:
            assert level_of[e.supervisor_nip] in ABOVE[e.position_level], e


def test_nips_are_unique_and_plausible(city: list[Employee]) -> None:
    assert len({e.nip for e in city}) == len(city)
    sequences = set()
    for e in city:
        parts = parse_nip(e.nip)
        assert 1965 <= parts.birth_date.year <= 2000
        if parts.kind is AsnKind.PPPK:  # the number holds the year only
            assert parts.birth_date.year + 20 <= parts.appointment_year <= 2024
        else:
            assert parts.appointment_month is not None
            appointed = (parts.appointment_year, parts.appointment_month)
            assert appointed >= (parts.birth_date.year + 20, parts.birth_date.month)
            assert appointed <= (2024, 12)
        sequences.add(parts.sequence)
        if e.position.startswith("Bidan"):
            assert parts.sex == 2
    assert len(sequences) > 100


def test_staff_appointed_since_2021_are_pppk_on_their_first_agreement(
    city: list[Employee],
) -> None:
    contract = [e for e in city if e.asn_kind is AsnKind.PPPK]
    staff = [e for e in city if e.position_level in (L.PELAKSANA, L.FUNGSIONAL)]
    assert 0.05 * len(staff) < len(contract) < 0.5 * len(staff)
    assert {e.position_level for e in contract} == {L.PELAKSANA, L.FUNGSIONAL}
    for e in contract:
        parts = parse_nip(e.nip)
        assert e.nip[12:14] == "21" and parts.agreement == 1
        assert parts.appointment_year >= 2021
    for e in staff:
        if e.asn_kind is AsnKind.PNS:
            assert parse_nip(e.nip).appointment_year < 2021


def test_every_supervisor_is_at_the_level_of_those_supervised_or_above(
    city: list[Employee],
) -> None:
    level_of = {e.nip: e.position_level for e in city}
    for e in city:
        if e.supervisor_nip is not None:
            assert may_supervise(level_of[e.supervisor_nip], e.position_level), e


def test_the_dev_demo_city_validates_with_pppk_staff() -> None:
    city = generate_roster(48, units=4, seed=2026)  # as `appraisal dev --demo` makes it
    assert validated(city).employees == city
    assert any(e.asn_kind is AsnKind.PPPK for e in city)


def test_names_mix_peoples_and_acting_posts_say_plt(city: list[Employee]) -> None:
    names = " ".join(e.name for e in city)
    for family in ("Siregar", "Santoso", "Sutisna", "Chaniago", "Syahputra"):
        assert family in names
    acting = [e for e in city if e.acting]
    assert acting and all(e.position.startswith("Plt. ") for e in acting)
    assert {e.position_level for e in acting} <= {L.ADMINISTRATOR, L.PENGAWAS}


@pytest.mark.parametrize(("employees", "units"), [(1, None), (3, 3), (12, 1), (40, 2), (160, 4)])
def test_small_rosters_validate_too(employees: int, units: int | None) -> None:
    roster = validated(generate_roster(employees, units=units, seed=5))
    assert len(roster.employees) == employees
    assert len(roster.units()) == (units or 1)
    assert len(roster.launch_order()[0]) == (units or 1)


def test_more_offices_than_names_get_numbered_copies() -> None:
    roster = validated(generate_roster(400, units=100))
    assert len(roster.units()) == 100
    assert "DISDIK-2" in roster.units()
    assert roster.by_nip(roster.launch_order()[0][0]).unit_name


@pytest.mark.parametrize(("employees", "units"), [(0, None), (5, 6), (5, 0), (-1, 1)])
def test_impossible_sizes_are_refused(employees: int, units: int | None) -> None:
    with pytest.raises(ValueError, match="at least one employee"):
        generate_roster(employees, units=units)


def test_the_csv_reads_back_to_the_same_roster(city: list[Employee]) -> None:
    data = roster_csv(city)
    assert data.startswith(b"nip,name,unit_code,unit_name,position,position_level,")
    roster = validate_roster(parse_roster(data), top_appraiser_nip=MAYOR)
    assert roster.employees == city


def test_twenty_thousand_people_validate() -> None:
    employees = generate_roster(20_000, seed=3)
    roster = validated(employees)
    assert len(roster.employees) == 20_000
    assert len(roster.units()) == 80
