"""Roster contacts: optional e-mail and phone columns under Indonesian headers, normalised, and
bad ones refused by row and column without the value in any message."""

from __future__ import annotations

import json

import pytest

from appraisal_engine.domain.roster import Roster, RosterInvalid, parse_roster, validate_roster

HEAD = "197203141998031004"
STAFF = "199207172015031002"
BASE = "nip,nama,kode_unit,nama_unit,jabatan,jenjang,nip_atasan"
ROW_HEAD = f"{HEAD},Bambang Wicaksono,DISDUK,Dinas Dukcapil,Kepala Dinas,jpt,"
ROW_STAFF = f"{STAFF},Ani Lubis,DISDUK,Dinas Dukcapil,Pengadministrasi,pelaksana,{HEAD}"


def roster_of(*lines: str) -> Roster:
    return validate_roster(parse_roster("\r\n".join(lines).encode()))


@pytest.mark.parametrize(
    ("email_header", "phone_header"),
    [("surel", "telepon"), ("email", "no_hp"), ("E-mail", "HP"), ("alamat email", "nomor hp")],
)
def test_contacts_read_under_indonesian_headers(email_header: str, phone_header: str) -> None:
    roster = roster_of(
        f"{BASE},{email_header},{phone_header}",
        f"{ROW_HEAD},Bambang.W@Dukcapil.Kota.GO.ID,0812-3456-7890",
        f"{ROW_STAFF},,",
    )
    head, staff = roster.by_nip(HEAD), roster.by_nip(STAFF)
    assert (head.email, head.phone) == ("Bambang.W@dukcapil.kota.go.id", "+6281234567890")
    assert (staff.email, staff.phone) == (None, None)


def test_phone_forms_normalise_to_e164() -> None:
    for given in ("081234567890", "+62 812 3456 7890", "6281234567890", "(0812) 3456.7890"):
        roster = roster_of(f"{BASE},hp", f'{ROW_HEAD},"{given}"', f"{ROW_STAFF},")
        assert roster.by_nip(HEAD).phone == "+6281234567890", given


def test_a_roster_without_contacts_keeps_its_checksum() -> None:
    plain = roster_of(BASE, ROW_HEAD, ROW_STAFF)
    empty = roster_of(f"{BASE},surel,telepon", f"{ROW_HEAD},,", f"{ROW_STAFF},,")
    given = roster_of(f"{BASE},surel", f"{ROW_HEAD},kadis@dukcapil.kota.go.id", f"{ROW_STAFF},")
    assert plain.checksum == empty.checksum != given.checksum


BAD_EMAIL = "bambang.wicaksono@@dukcapil"
BAD_PHONE = "021-5551234"  # a landline: notices go to mobiles


def test_bad_contacts_are_named_by_row_and_column_never_echoed() -> None:
    with pytest.raises(RosterInvalid) as info:
        roster_of(
            f"{BASE},surel,telepon",
            f"{ROW_HEAD},{BAD_EMAIL},{BAD_PHONE}",
            f"{ROW_STAFF},ani@,+1 650 253 0000",
        )
    errors = info.value.errors
    assert [(e.row, e.field) for e in errors] == [
        (2, "email"),
        (2, "phone"),
        (3, "email"),
        (3, "phone"),
    ]
    text = str(info.value) + " ".join(f"{e} {e.message}" for e in errors)
    for secret in (BAD_EMAIL, "bambang", "dukcapil", BAD_PHONE, "5551234", "ani@", "650"):
        assert secret not in text


def test_json_rosters_take_contacts_too() -> None:
    rows: list[dict[str, object]] = [
        {"nip": HEAD, "nama": "Bambang", "kode_unit": "D", "nama_unit": "Dinas", "jabatan": "Kadis",
         "jenjang": "jpt", "surel": "kadis@dukcapil.kota.go.id", "no_hp": "081234567890"},
        {"nip": STAFF, "nama": "Ani", "kode_unit": "D", "nama_unit": "Dinas", "jabatan": "Staf",
         "jenjang": "pelaksana", "nip_atasan": HEAD, "no_hp": 81234567890},
    ]  # fmt: skip
    with pytest.raises(RosterInvalid) as info:
        validate_roster(parse_roster(json.dumps(rows).encode()))
    problems = [(e.row, e.field, e.message) for e in info.value.errors]
    assert problems == [(3, "phone", "must be text")]
    del rows[1]["no_hp"]
    roster = validate_roster(parse_roster(json.dumps(rows).encode()))
    assert roster.by_nip(HEAD).email == "kadis@dukcapil.kota.go.id"


def test_stored_contacts_validate_again() -> None:
    """The worker's roster cache validates stored rows again: normalised values must pass."""
    roster = roster_of(f"{BASE},surel,hp", f"{ROW_HEAD},kadis@dukcapil.kota.go.id,0812 3456 7890",
                       f"{ROW_STAFF},,")  # fmt: skip
    again = validate_roster([e.model_dump(mode="json") for e in roster.employees])
    assert again.checksum == roster.checksum
