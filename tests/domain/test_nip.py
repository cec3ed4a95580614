"""NIP: the 18-digit employee number and the parts it encodes."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from appraisal_engine.domain.employee import Employee, PositionLevel
from appraisal_engine.domain.errors import DomainError
from appraisal_engine.domain.nip import NipParts, parse_nip

# The same digits in other scripts: str.isdigit() and int() accept them, an NIP must not.
ARABIC_INDIC = {ord(c): ord(c) - ord("0") + 0x0660 for c in "0123456789"}
FULLWIDTH = {ord(c): ord(c) - ord("0") + 0xFF10 for c in "0123456789"}


def nip(birth: str, appointed: str, sex: str, seq: str) -> str:
    return birth + appointed + sex + seq


@pytest.mark.parametrize(
    ("value", "parts"),
    [
        ("198503122010011001", NipParts(date(1985, 3, 12), 2010, 1, 1, 1)),
        ("199202292019032999", NipParts(date(1992, 2, 29), 2019, 3, 2, 999)),
        # Appointed in the very month of the 15th birthday: allowed at month granularity.
        ("197006151985061123", NipParts(date(1970, 6, 15), 1985, 6, 1, 123)),
        ("197006151985122045", NipParts(date(1970, 6, 15), 1985, 12, 2, 45)),
    ],
)
def test_valid_nips_parse_into_their_parts(value: str, parts: NipParts) -> None:
    assert parse_nip(value) == parts


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ("19850312201001100", "18 digits"),  # 17 digits
        ("1985031220100110011", "18 digits"),  # 19 digits
        ("", "18 digits"),
        ("19850312201001100a", "18 digits"),
        ("1985-03-12 2010011", "18 digits"),
        (" 198503122010011001", "18 digits"),
        ("198503122010011001\n", "18 digits"),
        ("198503122010011001".translate(ARABIC_INDIC), "18 digits"),
        ("198503122010011001".translate(FULLWIDTH), "18 digits"),
        (nip("19850230", "201001", "1", "001"), "birth date"),  # 30 February
        (nip("19851301", "201001", "1", "001"), "birth date"),  # month 13
        (nip("19850400", "201001", "1", "001"), "birth date"),  # day 0
        (nip("19850431", "201001", "1", "001"), "birth date"),  # 31 April
        (nip("19000229", "201001", "1", "001"), "birth date"),  # 1900 is not a leap year
        (nip("00000101", "201001", "1", "001"), "birth date"),  # year 0
        (nip("19850312", "201013", "1", "001"), "appointment month"),
        (nip("19850312", "201000", "1", "001"), "appointment month"),
        (nip("19850312", "199912", "1", "001"), "15 years"),  # age 14
        (nip("19850312", "200002", "1", "001"), "15 years"),  # one month short of 15
        (nip("19851231", "200001", "1", "001"), "15 years"),  # right year, 11 months short
        (nip("19850312", "197001", "1", "001"), "15 years"),  # before birth
        (nip("19850312", "201001", "0", "001"), "sex"),
        (nip("19850312", "201001", "3", "001"), "sex"),
        (nip("19850312", "201001", "9", "001"), "sex"),
        (nip("19850312", "201001", "1", "000"), "sequence"),
    ],
)
def test_each_wrong_part_is_rejected_by_name(value: str, words: str) -> None:
    with pytest.raises(DomainError) as info:
        parse_nip(value)
    assert info.value.field == "nip"
    assert words in info.value.reason
    assert str(info.value).startswith("nip: ")


def test_non_string_is_rejected() -> None:
    with pytest.raises(DomainError, match="18 digits"):
        parse_nip(198503122010011001)  # type: ignore[arg-type]


def _employee(nip_value: str, supervisor: str | None = None) -> Employee:
    return Employee(
        nip=nip_value,
        name="Siti Aminah",
        unit_code="DISDIK",
        unit_name="Dinas Pendidikan",
        position="Analis Kepegawaian",
        position_level=PositionLevel.PELAKSANA,
        supervisor_nip=supervisor,
    )


def test_nip_field_type_validates_in_models() -> None:
    e = _employee("198503122010011001", supervisor="197006151995031002")
    assert e.nip == "198503122010011001"
    with pytest.raises(ValidationError, match="sex"):
        _employee("198503122010013001")
    with pytest.raises(ValidationError, match="supervisor_nip"):
        _employee("198503122010011001", supervisor="197006151995031000")


@st.composite
def valid_parts(draw: st.DrawFn) -> NipParts:
    birth = draw(st.dates(min_value=date(1000, 1, 1), max_value=date(9984, 12, 31)))
    year = draw(st.integers(min_value=birth.year + 15, max_value=9999))
    first_month = birth.month if year == birth.year + 15 else 1
    month = draw(st.integers(min_value=first_month, max_value=12))
    sex = draw(st.sampled_from([1, 2]))
    sequence = draw(st.integers(min_value=1, max_value=999))
    return NipParts(birth, year, month, sex, sequence)


def _format(p: NipParts) -> str:
    return (
        f"{p.birth_date.year:04d}{p.birth_date.month:02d}{p.birth_date.day:02d}"
        f"{p.appointment_year:04d}{p.appointment_month:02d}{p.sex}{p.sequence:03d}"
    )


@settings(max_examples=200, deadline=None)
@given(valid_parts())
def test_any_well_formed_nip_parses_back_to_its_parts(parts: NipParts) -> None:
    value = _format(parts)
    assert len(value) == 18
    assert parse_nip(value) == parts


@settings(max_examples=200, deadline=None)
@given(
    st.dates(min_value=date(1000, 1, 1), max_value=date(9984, 12, 31)),
    st.integers(min_value=1, max_value=15 * 12),
)
def test_appointment_before_age_15_is_always_rejected(birth: date, months_short: int) -> None:
    index = (birth.year + 15) * 12 + birth.month - 1 - months_short
    year, month = divmod(index, 12)
    value = f"{birth:%Y%m%d}{year:04d}{month + 1:02d}1001"
    with pytest.raises(DomainError, match="15 years"):
        parse_nip(value)
