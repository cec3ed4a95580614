"""Position levels as personnel systems export them (codes, long forms, echelons), and the
roster's refusal of a supervisor below the level of the person supervised."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from appraisal_engine.domain.employee import PositionLevel
from appraisal_engine.domain.errors import say
from appraisal_engine.domain.levels import ECHELONS, NAMES, RANKS, may_supervise, read_level
from appraisal_engine.domain.nip import AsnKind
from appraisal_engine.domain.roster import RosterError, RosterInvalid, parse_roster, validate_roster
from appraisal_engine.web.i18n import translations
from tests.domain.test_roster import nip, person

L = PositionLevel
EXPORT = Path(__file__).parents[2] / "examples" / "roster-export.csv"


@pytest.mark.parametrize(
    ("cell", "level"),
    [
        ("jpt", L.JPT),
        ("JPT Pratama", L.JPT),
        ("JPT Madya", L.JPT),
        ("jpt  madya", L.JPT),
        ("Jabatan Pimpinan Tinggi Pratama", L.JPT),
        ("JABATAN PIMPINAN TINGGI MADYA", L.JPT),
        ("Administrator", L.ADMINISTRATOR),
        ("Jabatan Administrator", L.ADMINISTRATOR),
        ("pengawas", L.PENGAWAS),
        ("Jabatan Pengawas", L.PENGAWAS),
        ("Pelaksana", L.PELAKSANA),
        ("Jabatan Pelaksana", L.PELAKSANA),
        ("Pelaksana Pengadministrasi Umum", L.PELAKSANA),
        ("fungsional", L.FUNGSIONAL),
        ("Jabatan Fungsional", L.FUNGSIONAL),
        ("Jabatan Fungsional Analis Kebijakan Ahli Muda", L.FUNGSIONAL),
        ("jabatan fungsional perawat terampil", L.FUNGSIONAL),
        ("Fungsional Guru Ahli Pertama", L.FUNGSIONAL),
        ("JFT", L.FUNGSIONAL),
        # The old "functional general" posts are the staff's posts (pelaksana) today.
        ("JFU", L.PELAKSANA),
        ("Jabatan Fungsional Umum", L.PELAKSANA),
        ("Fungsional Umum Pengolah Data", L.PELAKSANA),
    ],
)
def test_codes_and_long_forms_read_as_their_level(cell: str, level: PositionLevel) -> None:
    assert read_level(cell) is level


@pytest.mark.parametrize(
    ("roman", "level"),
    [
        ("I", L.JPT),
        ("II", L.JPT),
        ("III", L.ADMINISTRATOR),
        ("IV", L.PENGAWAS),
    ],
)
@pytest.mark.parametrize("grade", ["a", "b"])
@pytest.mark.parametrize(
    "written",
    ["{r}.{g}", "{r}{g}", "{r}/{g}", "{r}-{g}", "{r} {g}", "Eselon {r}.{g}", "eselon{r}{g}"],
)
def test_each_echelon_in_each_spelling_reads_as_its_level(
    roman: str, level: PositionLevel, grade: str, written: str
) -> None:
    cell = written.format(r=roman, g=grade)
    assert read_level(cell) is level
    assert read_level(cell.upper()) is level
    assert read_level(cell.lower()) is level


@pytest.mark.parametrize(
    "cell", ["staf", "II.c", "V.a", "IIII.a", "II", "eselon", "jabatan", "jpt utama x", "pimpinan"]
)
def test_anything_else_names_no_level(cell: str) -> None:
    assert read_level(cell) is None


def test_the_tables_name_only_known_levels() -> None:
    assert set(RANKS) == set(PositionLevel)
    assert set(NAMES.values()) | set(ECHELONS.values()) <= set(PositionLevel)
    assert all(lo <= hi for lo, hi in RANKS.values())


# Who may directly supervise whom: rows the supervisor, columns the employee.
ORDER = [L.JPT, L.ADMINISTRATOR, L.PENGAWAS, L.FUNGSIONAL, L.PELAKSANA]
ALLOWED = {
    L.JPT: {L.JPT, L.ADMINISTRATOR, L.PENGAWAS, L.FUNGSIONAL, L.PELAKSANA},
    L.ADMINISTRATOR: {L.ADMINISTRATOR, L.PENGAWAS, L.FUNGSIONAL, L.PELAKSANA},
    L.PENGAWAS: {L.PENGAWAS, L.FUNGSIONAL, L.PELAKSANA},
    # A functional official heads units (a health centre, a school) up to the administrator's
    # grade (Ahli Madya), never a JPT.
    L.FUNGSIONAL: {L.ADMINISTRATOR, L.PENGAWAS, L.FUNGSIONAL, L.PELAKSANA},
    L.PELAKSANA: {L.FUNGSIONAL, L.PELAKSANA},
}


@pytest.mark.parametrize("boss", ORDER)
@pytest.mark.parametrize("employee", ORDER)
def test_who_may_supervise_whom(boss: PositionLevel, employee: PositionLevel) -> None:
    assert may_supervise(boss, employee) is (employee in ALLOWED[boss])


def test_every_level_may_supervise_its_own_level() -> None:
    assert all(may_supervise(level, level) for level in PositionLevel)


def errors_of(rows: list[dict[str, object]]) -> list[RosterError]:
    with pytest.raises(RosterInvalid) as info:
        validate_roster(rows)
    return info.value.errors


def test_a_staff_member_above_a_head_of_office_is_refused_naming_both_rows() -> None:
    rows = [
        person(1),
        person(2, 1, position_level="pelaksana"),
        person(3, 2, position_level="Jabatan Pimpinan Tinggi Pratama"),
    ]
    [error] = errors_of(rows)
    assert error == RosterError(
        row=4,
        field="supervisor_nip",
        message="the supervisor in row 3 is at level pelaksana, below this employee's level jpt: "
        "a supervisor is at the same level or higher",
    )
    assert error.values == {"row": 3, "boss": "pelaksana", "level": "jpt"}


@pytest.mark.parametrize(
    ("boss", "employee"),
    [
        ("IV.a", "III.b"),  # a section head above a head of division
        ("pengawas", "administrator"),
        ("pelaksana", "pengawas"),
        ("Jabatan Fungsional Perawat Ahli Madya", "jpt"),
        ("Pelaksana", "Jabatan Administrator"),
    ],
)
def test_a_supervisor_below_the_employee_is_refused(boss: str, employee: str) -> None:
    rows = [person(1), person(2, 1, position_level=boss), person(3, 2, position_level=employee)]
    [error] = errors_of(rows)
    assert (error.row, error.field, error.values["row"]) == (4, "supervisor_nip", 3)


@pytest.mark.parametrize(
    ("boss", "employee", "acting"),
    [
        ("II.a", "II.b", ""),  # the regional secretary above an assistant: both JPT Pratama
        ("jpt", "JPT Madya", ""),
        ("administrator", "administrator", "ya"),  # an acting head of office, at their own level
        ("pengawas", "pengawas", "tidak"),
        ("Jabatan Fungsional Guru Ahli Madya", "Jabatan Fungsional Guru Ahli Pertama", ""),
        ("Jabatan Fungsional Dokter Ahli Madya", "IV.b", ""),  # a Kepala Puskesmas
        ("pelaksana", "pelaksana", ""),
    ],
)
def test_the_same_level_may_supervise_acting_or_not(boss: str, employee: str, acting: str) -> None:
    rows = [
        person(1),
        person(2, 1, position_level=boss, acting=acting),
        person(3, 2, position_level=employee),
    ]
    roster = validate_roster(rows)
    assert roster.supervisor_of(nip(3)) == nip(2)


def test_each_inversion_is_reported_and_unreadable_levels_only_once() -> None:
    rows = [
        person(1, position_level="pelaksana"),
        person(2, 1, position_level="jpt"),
        person(3, 1, position_level="boss"),
        person(4, 3, position_level="jpt"),
    ]
    errors = errors_of(rows)
    assert [(e.row, e.field) for e in errors] == [(3, "supervisor_nip"), (4, "position_level")]


def test_a_csv_export_with_long_forms_and_echelons_imports() -> None:
    data = (
        "nip;nama;kode_unit;nama_unit;jabatan;jenjang;nip_atasan\n"
        f"{nip(1)};Kepala;DINKES;Dinas Kesehatan;Kepala Dinas;Eselon II.b;\n"
        f"{nip(2)};Sekretaris;DINKES;Dinas Kesehatan;Sekretaris;III/a;{nip(1)}\n"
        f"{nip(3)};Kasubag;DINKES;Dinas Kesehatan;Kasubag Umum;IVa;{nip(2)}\n"
        f"199001012022211001;Perawat;DINKES;Dinas Kesehatan;Perawat Ahli Pertama;"
        f"Jabatan Fungsional Perawat Ahli Pertama;{nip(3)}\n"
        f"199501012023212001;Pengolah Data;DINKES;Dinas Kesehatan;Pengolah Data;"
        f"Pelaksana;{nip(3)}\n"
    ).encode()
    roster = validate_roster(parse_roster(data))
    assert [e.position_level for e in roster.employees] == [
        L.JPT,
        L.ADMINISTRATOR,
        L.PENGAWAS,
        L.FUNGSIONAL,
        L.PELAKSANA,
    ]
    assert [e.asn_kind.value for e in roster.employees] == ["pns"] * 3 + ["pppk"] * 2


def test_the_refusal_is_said_in_indonesian_with_both_rows() -> None:
    [error] = errors_of([person(1), person(2, 1), person(3, 2, position_level="jpt")])
    said = say(error.located(), translations("id").gettext)
    assert said != str(error) and "below" not in said
    assert "3" in said and "4" in said and "pelaksana" in said


def test_the_export_example_reads_as_written() -> None:
    roster = validate_roster(parse_roster(EXPORT.read_bytes()))
    assert Counter(e.position_level for e in roster.employees) == {
        L.JPT: 1,
        L.ADMINISTRATOR: 2,
        L.PENGAWAS: 1,
        L.FUNGSIONAL: 3,
        L.PELAKSANA: 2,
    }
    assert Counter(e.asn_kind for e in roster.employees) == {AsnKind.PNS: 6, AsnKind.PPPK: 3}
    assert [e.position for e in roster.employees if e.acting] == ["Kepala Bidang Pembinaan SD"]
