"""Roster files: CSV with either separator, BOM, JSON in both shapes, aliases, and file errors."""

from __future__ import annotations

import json

import pytest

from appraisal_engine.domain.roster import (
    COLUMNS,
    RosterError,
    RosterInvalid,
    parse_roster,
    validate_roster,
)

HEADER = ",".join(COLUMNS)
HEAD = "197203141998031004"
STAFF = "199207172015031002"
ROW_HEAD = f"{HEAD},Bambang Wicaksono,DISDUK,Dinas Dukcapil,Kepala Dinas,jpt,,false"
ROW_STAFF = f"{STAFF},Ani Lubis,DISDUK,Dinas Dukcapil,Pengadministrasi,pelaksana,{HEAD},ya"
EXPECTED = [
    {
        "nip": HEAD,
        "name": "Bambang Wicaksono",
        "unit_code": "DISDUK",
        "unit_name": "Dinas Dukcapil",
        "position": "Kepala Dinas",
        "position_level": "jpt",
        "supervisor_nip": "",
        "acting": "false",
    },
    {
        "nip": STAFF,
        "name": "Ani Lubis",
        "unit_code": "DISDUK",
        "unit_name": "Dinas Dukcapil",
        "position": "Pengadministrasi",
        "position_level": "pelaksana",
        "supervisor_nip": HEAD,
        "acting": "ya",
    },
]


def csv_bytes(*lines: str, sep: str = ",") -> bytes:
    return "\r\n".join(line.replace(",", sep) for line in lines).encode() + b"\r\n"


def rejected(data: bytes, **kwargs: object) -> list[RosterError]:
    with pytest.raises(RosterInvalid) as info:
        parse_roster(data, **kwargs)  # type: ignore[arg-type]
    return info.value.errors


def test_comma_and_semicolon_csv_read_the_same() -> None:
    assert parse_roster(csv_bytes(HEADER, ROW_HEAD, ROW_STAFF)) == EXPECTED
    assert parse_roster(csv_bytes(HEADER, ROW_HEAD, ROW_STAFF, sep=";")) == EXPECTED


def test_semicolon_csv_keeps_commas_inside_cells() -> None:
    text = f"{HEADER.replace(',', ';')}\n{HEAD};Drs. Bambang, M.Si.;U;Unit;Kepala;jpt;;\n"
    assert parse_roster(text.encode())[0]["name"] == "Drs. Bambang, M.Si."


def test_a_byte_order_mark_is_skipped() -> None:
    assert parse_roster(b"\xef\xbb\xbf" + csv_bytes(HEADER, ROW_HEAD, ROW_STAFF)) == EXPECTED
    data = b"\xef\xbb\xbf" + csv_bytes(HEADER, ROW_HEAD, ROW_STAFF, sep=";")
    assert parse_roster(data) == EXPECTED


def test_indonesian_aliases_and_loose_header_spelling() -> None:
    header = " NIP ; Nama ;Kode Unit;NAMA_UNIT;jabatan;Tingkat-Jabatan; NIP Atasan ;PLT"
    assert parse_roster(csv_bytes(header, ROW_HEAD, ROW_STAFF, sep=";")) == EXPECTED
    header = "nip,nama,kode_unit,nama_unit,jabatan,jenjang,nip_atasan,plt"
    assert parse_roster(csv_bytes(header, ROW_HEAD, ROW_STAFF)) == EXPECTED


def test_columns_in_any_order_and_acting_optional() -> None:
    header = "name,nip,position_level,position,unit_name,unit_code,supervisor_nip"
    row = f"Ani,{STAFF},pelaksana,Staf,Unit,U,{HEAD}"
    [parsed] = parse_roster(csv_bytes(header, row))
    assert parsed["nip"] == STAFF and parsed["name"] == "Ani" and parsed["acting"] == ""


def test_json_list_and_employees_object_read_the_same() -> None:
    objects: list[dict[str, object]] = [
        {"nip": HEAD, "nama": "Bambang", "unit_code": "U", "unit_name": "Unit"}
    ]
    objects[0] |= {"jabatan": "Kepala", "position_level": "jpt", "plt": True}
    as_list = parse_roster(json.dumps(objects).encode())
    as_object = parse_roster(json.dumps({"employees": objects}).encode())
    assert as_list == as_object
    assert as_list[0]["name"] == "Bambang" and as_list[0]["acting"] is True
    assert as_list[0]["supervisor_nip"] is None  # may be left out in JSON


def test_json_is_chosen_by_content_type_or_first_byte() -> None:
    body = json.dumps([{c: "" for c in COLUMNS}]).encode()
    assert parse_roster(b"  \n" + body)[0]["nip"] == ""
    assert parse_roster(body, content_type="text/csv")[0]["nip"] == ""  # the bytes decide too
    assert rejected(b"nip,name", content_type="application/json")[0].message.startswith(
        "not valid JSON"
    )


@pytest.mark.parametrize(
    ("body", "row", "field", "words"),
    [
        (b"[1, 2", None, None, "not valid JSON"),
        (b'{"staff": []}', None, None, "expected a list"),
        (b'{"employees": [], "org": "x"}', None, None, "expected a list"),
        (b"[" * 100_000, None, None, "not valid JSON"),
        (b'["x"]', 2, None, "must be an object"),
        (b'[{"nip": "1", "hobby": "x"}]', 2, "hobby", "unknown column"),
        (b'[{"name": "a", "nama": "b"}]', 2, "nama", "given twice"),
        (b'[{"nip": "1"}]', 2, "position_level", "missing"),
        (b'[{"nip": "\xff"}]', None, None, "not valid UTF-8"),
    ],
)
def test_bad_json_is_rejected(body: bytes, row: int | None, field: str | None, words: str) -> None:
    errors = rejected(body)
    match = [e for e in errors if e.row == row and e.field == field]
    assert match and words in match[0].message, errors


def test_unknown_missing_and_repeated_columns_are_named_on_row_1() -> None:
    header = "nip,nama,name,unit_code,position,position_level,hobby"
    errors = rejected(csv_bytes(header, "1,2,3,4,5,6,7"))
    assert [(e.row, e.field) for e in errors] == [
        (1, "name"),  # repeated: nama and name
        (1, "hobby"),
        (1, "unit_name"),
        (1, "supervisor_nip"),
    ]
    assert "given twice" in errors[0].message and "'nama'" in errors[0].message
    assert errors[1].message.startswith("unknown column; expected nip, name")
    assert "nip_atasan" in errors[1].message  # the aliases are listed too
    assert errors[2].message == errors[3].message == "missing column"


def test_apostrophe_and_spaced_nips_are_kept_as_read_and_cleaned_on_validation() -> None:
    row = f"'{HEAD[:8]} {HEAD[8:14]} {HEAD[14]} {HEAD[15:]},B,U,Unit,Kepala,jpt,,"
    staff = f"{STAFF},A,U,Unit,Staf,pelaksana,'{HEAD},"
    rows = parse_roster(csv_bytes(HEADER, row, staff))
    assert rows[0]["nip"] == "'19720314 199803 1 004"
    roster = validate_roster(rows)
    assert [e.nip for e in roster.employees] == [HEAD, STAFF]
    assert roster.employees[1].supervisor_nip == HEAD


def test_invalid_utf8_names_each_row_and_column_holding_it() -> None:
    data = csv_bytes(HEADER, ROW_HEAD, ROW_STAFF).replace(b"Ani Lubis", b"An\xe9 Lubis")
    data += f"{'198511302010012015'},Ma\x92ruf,DISDUK,D,P,pelaksana,{HEAD},".encode("latin-1")
    errors = rejected(data)
    assert [(e.row, e.field) for e in errors] == [(3, "name"), (4, "name")]
    assert "not valid UTF-8" in errors[0].message and "CSV UTF-8" in errors[0].message


def test_utf16_and_tab_separated_files_get_a_clear_message() -> None:
    utf16 = csv_bytes(HEADER, ROW_HEAD).decode().encode("utf-16")
    assert "UTF-16" in rejected(utf16)[0].message
    tabbed = csv_bytes(HEADER, ROW_HEAD).replace(b",", b"\t")
    assert rejected(tabbed)[0] == RosterError(
        row=1, field=None, message="columns are separated by tabs: save as CSV (with , or ;)"
    )


@pytest.mark.parametrize("data", [b"", b"   \r\n\t", b"\xef\xbb\xbf"])
def test_an_empty_file_is_rejected(data: bytes) -> None:
    assert rejected(data) == [RosterError(row=None, field=None, message="the file is empty")]


def test_header_only_reads_as_no_rows_which_validation_rejects() -> None:
    assert parse_roster(csv_bytes(HEADER)) == []
    with pytest.raises(RosterInvalid, match="no employees"):
        validate_roster([])


def test_cell_count_must_match_the_header() -> None:
    short = ROW_STAFF.rsplit(",", 2)[0]  # supervisor and acting cut off
    extra = ROW_STAFF + ",surplus"
    errors = rejected(csv_bytes(HEADER, ROW_HEAD, short, extra))
    assert errors == [
        RosterError(row=3, field=None, message="has 6 cells but the header has 8 columns"),
        RosterError(row=4, field=None, message="has 9 cells but the header has 8 columns"),
    ]


def test_empty_trailing_cells_and_unnamed_empty_columns_are_allowed() -> None:
    rows = parse_roster(csv_bytes(HEADER + ",,", ROW_HEAD + ",,", ROW_STAFF + ",,,,"))
    assert rows == EXPECTED
    errors = rejected(csv_bytes(HEADER + ",", ROW_HEAD + ",note"))
    assert errors[0].row == 2 and "cells" in errors[0].message


def test_blank_rows_keep_the_numbering_and_trailing_ones_are_dropped() -> None:
    bad = ROW_STAFF.replace("pelaksana", "staf")
    rows = parse_roster(csv_bytes(HEADER, ROW_HEAD, ",,,,,,,", "", bad, ",,,,,,,", ""))
    assert len(rows) == 4  # two blank rows kept between, the trailing one dropped
    with pytest.raises(RosterInvalid) as info:
        validate_roster(rows)
    assert [(e.row, e.field) for e in info.value.errors] == [(5, "position_level")]


def test_rows_are_counted_as_records_even_with_line_breaks_inside_cells() -> None:
    multi = f'{HEAD},"Bambang\nWicaksono",U,Unit,Kepala,jpt,,'
    bad = ROW_STAFF.replace("pelaksana", "staf")
    rows = parse_roster(csv_bytes(HEADER, multi, bad))
    with pytest.raises(RosterInvalid) as info:
        validate_roster(rows)
    assert [(e.row, e.field) for e in info.value.errors] == [
        (2, "name"),  # a line break in a name is refused
        (3, "position_level"),
    ]


def test_broken_quoting_names_the_row() -> None:
    errors = rejected(csv_bytes(HEADER, ROW_HEAD, ROW_STAFF, f'{STAFF},"Ani" Lubis,U,U,P,x,,'))
    assert errors[-1].row == 4 and errors[-1].message.startswith("cannot read the CSV here")


def test_more_rows_than_the_limit_is_rejected() -> None:
    data = csv_bytes(HEADER, ROW_HEAD, ROW_STAFF, ROW_STAFF)
    assert len(parse_roster(data, max_rows=3)) == 3
    assert rejected(data, max_rows=2) == [
        RosterError(row=4, field=None, message="more than 2 rows")
    ]
    body = json.dumps([{"nip": "x"}] * 3).encode()
    assert "more than 2 employees" in rejected(body, max_rows=2)[0].message
