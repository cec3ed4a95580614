"""Roster validation: every kind of problem with its row and column, and the derived tree."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from pydantic import ValidationError

from appraisal_engine.domain.employee import Employee, PositionLevel
from appraisal_engine.domain.errors import DomainError
from appraisal_engine.domain.nip import parse_nip
from appraisal_engine.domain.roster import (
    COLUMNS,
    CONTACT_COLUMNS,
    Roster,
    RosterError,
    RosterInvalid,
    parse_roster,
    validate_roster,
)

EXAMPLE = Path(__file__).parents[2] / "examples" / "roster.csv"
MAYOR = "196805172000031001"


def nip(i: int) -> str:
    """A valid NIP per small number: born 12 March 1985, appointed January 2010."""
    return f"198503122010011{i:03d}"


def person(i: int, boss: int | None = None, unit: str = "U1", **cells: object) -> dict[str, object]:
    row: dict[str, object] = {
        "nip": nip(i),
        "name": f"Pegawai {i}",
        "unit_code": unit,
        "unit_name": f"Unit {unit}",
        "position": "Staf",
        "position_level": "pelaksana" if boss else "jpt",
        "supervisor_nip": nip(boss) if boss else "",
        "acting": "",
    }
    return row | cells


def errors_of(rows: list[dict[str, object]], **kwargs: str) -> list[RosterError]:
    with pytest.raises(RosterInvalid) as info:
        validate_roster(rows, **kwargs)
    return info.value.errors


def only(rows: list[dict[str, object]], **kwargs: str) -> RosterError:
    [error] = errors_of(rows, **kwargs)
    return error


def test_a_valid_roster_builds_employees_in_input_order() -> None:
    rows = [person(2, 1), person(1), person(3, 1, acting="Ya", position_level="Pengawas")]
    roster = validate_roster(rows)
    assert [e.nip for e in roster.employees] == [nip(2), nip(1), nip(3)]
    assert roster.employees[2].acting is True
    assert roster.employees[2].position_level is PositionLevel.PENGAWAS
    assert roster.employees[1].supervisor_nip is None


@pytest.mark.parametrize(
    "bad", ["198502302010011001", "1985031220100110", "19850312201001100x", "198503122010013001"]
)
def test_a_bad_nip_carries_the_nip_rule_message(bad: str) -> None:
    with pytest.raises(DomainError) as rule:
        parse_nip(bad)
    error = only([person(1), person(2, 1, nip=bad)])
    assert (error.row, error.field) == (3, "nip")
    assert error.message == f"{rule.value.reason} (got {bad!r})"


def test_a_bad_supervisor_nip_is_reported_on_that_column() -> None:
    error = only([person(1), person(2, 1, supervisor_nip="12345")])
    assert (error.row, error.field) == (3, "supervisor_nip")
    assert error.message.startswith("must be exactly 18 digits")


def test_a_nip_in_scientific_notation_says_the_spreadsheet_made_it_a_number() -> None:
    for shown in ("1.98503E+17", "1,98503E+17", "1.98E17"):
        error = only([person(1, nip=shown)])
        assert (error.row, error.field) == (2, "nip")
        assert "spreadsheet turned the NIP into a number" in error.message
        assert "format the column as Text" in error.message


def test_a_nip_given_as_a_json_number_is_refused() -> None:
    error = only([person(1, nip=int(nip(1)))])
    assert (error.row, error.field) == (2, "nip")
    assert error.message == "must be text: a number this long loses digits"


def test_a_duplicate_nip_names_the_other_row() -> None:
    error = only([person(1), person(2, 1), person(3, 1), person(2, 1, name="Other")])
    assert error == RosterError(row=5, field="nip", message="duplicate NIP: also in row 3")


@pytest.mark.parametrize("name", ["", "   ", None])
def test_an_empty_name_is_refused(name: object) -> None:
    error = only([person(1), person(2, 1, name=name)])
    assert error == RosterError(row=3, field="name", message="must not be empty")


def test_line_breaks_and_control_characters_in_text_are_refused() -> None:
    errors = errors_of([person(1, name="Budi\x00"), person(2, 1, position="Staf\nUmum")])
    assert [(e.row, e.field) for e in errors] == [(2, "name"), (3, "position")]
    assert {e.message for e in errors} == {"must not contain control characters or line breaks"}


@pytest.mark.parametrize("code", ["Dinas X", "U/1", "x" * 41, "Ü"])
def test_a_bad_unit_code_is_refused(code: str) -> None:
    error = only([person(1, unit=code)])
    assert (error.row, error.field) == (2, "unit_code")
    assert error.message == "must be 1-40 letters, digits, '.', '_' or '-' (no spaces)"


def test_a_bad_position_level_lists_the_allowed_values() -> None:
    error = only([person(1), person(2, 1, position_level="staf")])
    assert error == RosterError(
        row=3,
        field="position_level",
        message="must be one of jpt, administrator, pengawas, pelaksana, fungsional (got 'staf')",
    )


def test_a_bad_acting_flag_lists_the_allowed_values() -> None:
    error = only([person(1), person(2, 1, acting="maybe")])
    assert error == RosterError(
        row=3, field="acting", message="must be true/false, ya/tidak, yes/no, 1/0 or empty"
    )


@pytest.mark.parametrize(
    ("cell", "acting"),
    [
        ("true", True),
        ("YA", True),
        ("yes", True),
        ("1", True),
        (1, True),
        (True, True),
        ("false", False),
        ("Tidak", False),
        ("no", False),
        ("0", False),
        ("", False),
        (None, False),
        (False, False),
    ],
)
def test_acting_accepts_both_languages(cell: object, acting: bool) -> None:
    assert validate_roster([person(1, acting=cell)]).employees[0].acting is acting


def test_an_unknown_supervisor_is_refused() -> None:
    error = only([person(1), person(2, 9)])
    assert error == RosterError(
        row=3, field="supervisor_nip", message=f"supervisor {nip(9)} is not in the roster"
    )


def test_nobody_supervises_themselves() -> None:
    rows = [person(1), person(2, 1, unit="U2"), person(3, 3, unit="U2")]
    error = only(rows)
    assert error == RosterError(
        row=4, field="supervisor_nip", message="an employee cannot be their own supervisor"
    )


def test_a_supervisor_loop_names_every_row_in_it() -> None:
    # Rows 3 -> 5 -> 4 -> 3; the unit still has its head in row 2.
    rows = [person(1), person(2, 3), person(4, 2), person(3, 4), person(5, 1)]
    error = only(rows)
    assert error == RosterError(
        row=3, field="supervisor_nip", message="supervisor loop: row 3 -> row 5 -> row 4 -> row 3"
    )


def test_a_unit_without_a_head_is_an_error_on_its_code() -> None:
    # U2's two people supervise each other: a loop, and so nobody heads U2.
    rows = [person(1), person(2, 1), person(3, 4, unit="U2"), person(4, 3, unit="U2")]
    errors = errors_of(rows)
    assert [(e.row, e.field) for e in errors] == [(4, "supervisor_nip"), (4, "unit_code")]
    assert errors[1].message.startswith("unit U2 has no head")
    assert "must be empty or someone in another unit" in errors[1].message


def test_a_unit_headed_from_another_unit_is_fine() -> None:
    rows = [person(1), person(2, 1, unit="PKM"), person(3, 2, unit="PKM")]
    assert validate_roster(rows).units() == ["PKM", "U1"]


def test_a_unit_code_with_two_names_is_refused() -> None:
    rows = [person(1), person(2, 1), person(3, 1, unit_name="Unit Lain")]
    error = only(rows)
    assert error == RosterError(
        row=4, field="unit_name", message="unit U1 is named 'Unit U1' in row 2"
    )


def test_the_top_appraiser_may_be_neither_in_the_roster_nor_a_supervisor_in_it() -> None:
    error = only([person(1), person(2, 1)], top_appraiser_nip=nip(1))
    assert (error.row, error.field) == (2, "nip") and "regional_head_nip" in error.message
    rows = [person(1), person(2, None, supervisor_nip=MAYOR, unit="U2")]
    error = only(rows, top_appraiser_nip=MAYOR)
    assert (error.row, error.field) == (3, "supervisor_nip")
    assert error.message.startswith("is the regional head: leave supervisor_nip empty")


def test_unknown_keys_and_non_objects_given_directly_are_refused() -> None:
    errors = errors_of([person(1, hobby="catur"), "row"])  # type: ignore[list-item]
    assert errors == [
        RosterError(row=2, field="hobby", message="unknown column"),
        RosterError(row=3, field=None, message="must be an object"),
    ]


def test_a_rejected_roster_reports_every_problem_not_just_the_first() -> None:
    rows = [person(1), person(2, 1, name=""), person(3, 1), person(4, 9), person(5, 1, unit="a b")]
    errors = errors_of(rows)
    assert [(e.row, e.field) for e in errors] == [
        (3, "name"),
        (5, "supervisor_nip"),
        (6, "unit_code"),
    ]


def test_errors_are_capped_and_the_rest_counted() -> None:
    rows = [person(1)] + [person(i, 1, name="", position=" ") for i in range(2, 603)]
    with pytest.raises(RosterInvalid) as info:
        validate_roster(rows)
    assert len(info.value.errors) == 1000 and info.value.more == 202
    assert str(info.value).startswith("roster rejected: 1202 problems")
    assert "1000 are listed, 202 more not shown" in str(info.value)
    assert "first: row 3, name: must not be empty" in str(info.value)
    assert info.value.errors[-1] == RosterError(
        row=502, field="position", message="must not be empty"
    )


def test_formula_like_text_is_kept_as_given() -> None:
    formulas: dict[str, object] = {
        "name": '=HYPERLINK("http://example.invalid";"klik")',
        "position": "+SUM(A1:A9)",
        "unit_name": "@cmd|' /C calc'!A0",
    }
    [employee] = validate_roster([person(1) | formulas]).employees
    assert employee.name == formulas["name"]
    assert employee.position == formulas["position"]
    assert employee.unit_name == formulas["unit_name"]


# The sample roster: two offices, six people each.
KADIS_DUKCAPIL, SEKRETARIS, KABID = "197203141998031004", "197808222003122007", "198001052005011012"
KASUBBAG, PELAKSANA, PRAKOM = "198511302010012015", "199207172015031002", "199503092019032011"
KADINKES, PLT_SEKRETARIS, KABID_YANKES = (
    "196909251995031003",
    "198204112006042009",
    "197712012002121005",
)
KASI, PERAWAT, PENGELOLA = "198703202011012006", "199410052018012003", "199812282021031001"


@pytest.fixture(scope="module")
def example() -> Roster:
    return validate_roster(parse_roster(EXAMPLE.read_bytes()), top_appraiser_nip=MAYOR)


def test_the_example_roster_reads_as_written(example: Roster) -> None:
    assert len(example.employees) == 12
    assert example.units() == ["DINKES", "DISDUKCAPIL"]
    plt = example.by_nip(PLT_SEKRETARIS)
    assert plt.acting and plt.position == "Plt. Sekretaris"
    assert example.by_nip(PELAKSANA).name == "Ma'ruf Hasibuan"
    assert example.by_nip(KADINKES).name == "dr. Togar Parulian Simanjuntak, M.Kes."


def test_supervisor_and_superior_follow_the_tree(example: Roster) -> None:
    assert example.supervisor_of(PELAKSANA) == KASUBBAG
    assert example.superior_of(PELAKSANA) == SEKRETARIS
    assert example.supervisor_of(KASUBBAG) == SEKRETARIS
    assert example.superior_of(KASUBBAG) == KADIS_DUKCAPIL
    # Under a head at the top: the regional head is the superior.
    assert example.supervisor_of(SEKRETARIS) == KADIS_DUKCAPIL
    assert example.superior_of(SEKRETARIS) == MAYOR
    # A head at the top: the regional head appraises and is also the superior (documented).
    assert example.supervisor_of(KADINKES) == MAYOR
    assert example.superior_of(KADINKES) == MAYOR


def test_without_a_regional_head_the_top_has_no_appraiser(example: Roster) -> None:
    roster = Roster(employees=example.employees)
    assert roster.supervisor_of(SEKRETARIS) == KADIS_DUKCAPIL
    with pytest.raises(DomainError) as info:
        roster.supervisor_of(KADINKES)
    assert info.value.field == "regional_head_nip"
    with pytest.raises(DomainError, match="regional_head_nip"):
        roster.superior_of(SEKRETARIS)
    assert roster.superior_of(KASUBBAG) == KADIS_DUKCAPIL


def test_subordinates_are_direct_reports_sorted(example: Roster) -> None:
    assert example.subordinates_of(KADIS_DUKCAPIL) == [SEKRETARIS, KABID]
    assert example.subordinates_of(KADINKES) == [KABID_YANKES, PLT_SEKRETARIS]
    assert example.subordinates_of(KASI) == [PERAWAT, PENGELOLA]
    assert example.subordinates_of(PRAKOM) == []
    with pytest.raises(DomainError, match="not in the roster"):
        example.subordinates_of(MAYOR)


def test_peers_share_a_supervisor_and_the_top_heads_are_peers(example: Roster) -> None:
    assert example.peers_of(PELAKSANA, 3) == [PRAKOM]
    assert example.peers_of(KABID_YANKES, 3) == [PLT_SEKRETARIS]
    assert example.peers_of(KADINKES, 3) == [KADIS_DUKCAPIL]
    assert example.peers_of(KADIS_DUKCAPIL, 3) == [KADINKES]
    assert example.peers_of(KADIS_DUKCAPIL, 0) == []


def test_peers_start_after_the_employee_so_asks_are_spread() -> None:
    roster = validate_roster([person(1)] + [person(i, 1) for i in range(2, 8)])
    assert roster.peers_of(nip(2), 2) == [nip(3), nip(4)]
    assert roster.peers_of(nip(6), 3) == [nip(7), nip(2), nip(3)]
    assert roster.peers_of(nip(7), 10) == [nip(i) for i in range(2, 7)]
    asked = [p for i in range(2, 8) for p in roster.peers_of(nip(i), 2)]
    assert sorted(asked.count(nip(i)) for i in range(2, 8)) == [2] * 6


def test_launch_order_puts_each_level_after_its_supervisors(example: Roster) -> None:
    assert example.launch_order() == [
        [KADINKES, KADIS_DUKCAPIL],
        [KABID_YANKES, SEKRETARIS, KABID, PLT_SEKRETARIS],
        [KASUBBAG, KASI],
        [PELAKSANA, PERAWAT, PRAKOM, PENGELOLA],
    ]


def test_checksum_ignores_row_order_and_sees_every_change() -> None:
    rows = parse_roster(EXAMPLE.read_bytes())
    first = validate_roster(rows).checksum
    assert len(first) == 64 and int(first, 16) >= 0
    for seed in range(3):
        shuffled = rows[:]
        random.Random(seed).shuffle(shuffled)
        assert validate_roster(shuffled).checksum == first
    renamed = [dict(r) for r in rows]
    renamed[4]["name"] = "Ma'ruf Hasibuan, S.E."
    assert validate_roster(renamed).checksum != first
    assert validate_roster(rows, top_appraiser_nip=MAYOR).checksum == first


def test_a_roster_survives_serialisation_with_its_tree(example: Roster) -> None:
    again = Roster.model_validate_json(example.model_dump_json())
    assert again == example
    assert again.checksum == example.checksum
    assert again.launch_order() == example.launch_order()


def test_a_roster_built_directly_still_refuses_a_broken_tree(example: Roster) -> None:
    def with_boss(nip_value: str, boss: str) -> list[Employee]:
        return [
            e.model_copy(update={"supervisor_nip": boss}) if e.nip == nip_value else e
            for e in example.employees
        ]

    with pytest.raises(ValidationError, match="unknown or form a loop"):
        Roster(employees=with_boss(KADINKES, PERAWAT))
    with pytest.raises(ValidationError, match="unknown or form a loop"):
        Roster(employees=with_boss(KADINKES, MAYOR))
    with pytest.raises(ValidationError, match="duplicate NIP"):
        Roster(employees=[*example.employees, example.employees[0]])
    with pytest.raises(ValidationError, match="top appraiser"):
        Roster(employees=example.employees, top_appraiser_nip=KADINKES)


def test_the_columns_are_the_employee_fields() -> None:
    assert [*COLUMNS, *CONTACT_COLUMNS] == list(Employee.model_fields)
