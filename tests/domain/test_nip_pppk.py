"""Both kinds of number: a PNS NIP (month of appointment) and an NI PPPK (the PPPK code 2 and the
work agreement's number where the month would be), each at its own boundaries, and what each
says about the appointment and the years of service."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from appraisal_engine.domain.employee import Employee, PositionLevel
from appraisal_engine.domain.errors import DomainError
from appraisal_engine.domain.nip import LAYOUT, AsnKind, NipLayout, NipParts, asn_kind, parse_nip

PNS, PPPK = AsnKind.PNS, AsnKind.PPPK


def pppk(birth: str, year: str, agreement: str = "1", sex: str = "1", seq: str = "001") -> str:
    return f"{birth}{year}2{agreement}{sex}{seq}"


@pytest.mark.parametrize(
    ("value", "parts"),
    [
        # The form seen on most numbers: 21, the first work agreement.
        ("199001012022211001", NipParts(date(1990, 1, 1), 2022, None, 1, 1, PPPK, 1)),
        ("200012312024211001", NipParts(date(2000, 12, 31), 2024, None, 1, 1, PPPK, 1)),
        ("199202292021222999", NipParts(date(1992, 2, 29), 2021, None, 2, 999, PPPK, 2)),
        ("198506152023291045", NipParts(date(1985, 6, 15), 2023, None, 1, 45, PPPK, 9)),
        # The first year PPPK exist, and the year of the 15th birthday (the number has no month).
        ("198001012019211001", NipParts(date(1980, 1, 1), 2019, None, 1, 1, PPPK, 1)),
        ("200412312019212001", NipParts(date(2004, 12, 31), 2019, None, 2, 1, PPPK, 1)),
    ],
)
def test_an_ni_pppk_parses_as_pppk_with_its_agreement_and_no_month(
    value: str, parts: NipParts
) -> None:
    assert parse_nip(value) == parts
    assert asn_kind(value) is PPPK


@pytest.mark.parametrize(
    ("value", "month"),
    [("198503122010011001", 1), ("198503122010121001", 12), ("198503122010091001", 9)],
)
def test_a_pns_number_keeps_its_month_and_has_no_agreement(value: str, month: int) -> None:
    parts = parse_nip(value)
    assert (parts.kind, parts.appointment_month, parts.agreement) == (PNS, month, None)


@pytest.mark.parametrize(
    ("code", "words"),
    [
        ("00", "appointment month (01-12), or 21-29 for PPPK"),
        ("13", "appointment month"),
        ("19", "appointment month"),
        ("20", "work agreement's number) must be 1-9"),
        ("30", "appointment month"),
        ("99", "appointment month"),
    ],
)
def test_digits_13_14_outside_a_month_and_the_pppk_codes_are_refused(code: str, words: str) -> None:
    with pytest.raises(DomainError) as info:
        parse_nip(f"198503122020{code}1001")
    assert info.value.field == "nip"
    assert words in info.value.reason


@pytest.mark.parametrize(
    ("value", "words"),
    [
        (pppk("19800101", "2018"), "must be 2019 or later"),  # before PPPK existed
        (pppk("19800101", "1999"), "must be 2019 or later"),
        (pppk("20050101", "2019"), "15 years after the year of birth"),  # 14 in 2019
        (pppk("20060101", "2020"), "15 years after the year of birth"),
        (pppk("19850230", "2022"), "birth date"),
        (pppk("19850312", "2022", sex="0"), "sex"),
        (pppk("19850312", "2022", sex="3"), "sex"),
        (pppk("19850312", "2022", seq="000"), "sequence"),
        (pppk("19850312", "2022", agreement="0"), "work agreement"),
    ],
)
def test_each_wrong_part_of_an_ni_pppk_is_refused_by_name(value: str, words: str) -> None:
    with pytest.raises(DomainError) as info:
        parse_nip(value)
    assert words in info.value.reason
    assert str(info.value).startswith("nip: ")


def test_a_pns_number_keeps_its_month_granular_age_rule() -> None:
    # Born June 1970: a PNS appointed May 1985 is refused, an NI PPPK of 1985 could not exist.
    with pytest.raises(DomainError, match="appointment month must be at least 15 years"):
        parse_nip("197006151985051001")
    assert parse_nip("197006151985061001").kind is PNS


def test_the_layout_is_data() -> None:
    later = NipLayout(pppk_since=2021)
    with pytest.raises(DomainError, match="2021 or later"):
        parse_nip(pppk("19900101", "2020"), later)
    assert parse_nip(pppk("19900101", "2020")).kind is PPPK  # the layout in force: since 2019
    first_only = NipLayout(agreements=(1, 1))
    with pytest.raises(DomainError) as info:
        parse_nip(pppk("19900101", "2022", agreement="2"), first_only)
    assert "must be 1-1" in info.value.reason
    with pytest.raises(DomainError, match="21-21 for PPPK"):
        parse_nip("199001012022131001", first_only)
    assert NipLayout() == LAYOUT


@pytest.mark.parametrize(
    ("value", "on", "years", "start"),
    [
        # PNS: from the first of the month of appointment.
        ("198503122010061001", date(2020, 5, 31), 9, date(2010, 6, 1)),
        ("198503122010061001", date(2020, 6, 1), 10, date(2010, 6, 1)),
        ("198503122010061001", date(2009, 1, 1), 0, date(2010, 6, 1)),
        # PPPK: from 1 January of the year (the number holds no month).
        ("199001012022211001", date(2026, 12, 31), 4, date(2022, 1, 1)),
        ("199001012022211001", date(2027, 1, 1), 5, date(2022, 1, 1)),
        ("199001012022211001", date(2022, 1, 1), 0, date(2022, 1, 1)),
        ("199001012022211001", date(2021, 6, 1), 0, date(2022, 1, 1)),
    ],
)
def test_years_of_service_read_from_either_kind(
    value: str, on: date, years: int, start: date
) -> None:
    parts = parse_nip(value)
    assert parts.appointed_from == start
    assert parts.years_of_service(on) == years


def test_an_employee_says_its_kind_and_the_nip_type_takes_both() -> None:
    def employee(nip: str, boss: str | None = None) -> Employee:
        return Employee(
            nip=nip,
            name="Rina",
            unit_code="DINKES",
            unit_name="Dinas Kesehatan",
            position="Perawat Terampil",
            position_level=PositionLevel.FUNGSIONAL,
            supervisor_nip=boss,
        )

    contract = employee("199001012022212001", boss="198503122010011001")
    assert contract.asn_kind is PPPK
    assert employee("198503122010011001", boss="199001012022212001").asn_kind is PNS
    assert "asn_kind" not in contract.model_dump()  # derived: rosters keep their checksums


@st.composite
def pppk_parts(draw: st.DrawFn) -> NipParts:
    birth = draw(st.dates(min_value=date(1000, 1, 1), max_value=date(9984, 12, 31)))
    year = draw(st.integers(min_value=max(2019, birth.year + 15), max_value=9999))
    sex = draw(st.sampled_from([1, 2]))
    sequence = draw(st.integers(min_value=1, max_value=999))
    agreement = draw(st.integers(min_value=1, max_value=9))
    return NipParts(birth, year, None, sex, sequence, PPPK, agreement)


@settings(max_examples=200, deadline=None)
@given(pppk_parts())
def test_any_well_formed_ni_pppk_parses_back_to_its_parts(parts: NipParts) -> None:
    value = (
        f"{parts.birth_date:%Y%m%d}{parts.appointment_year:04d}2{parts.agreement}"
        f"{parts.sex}{parts.sequence:03d}"
    )
    assert parse_nip(value) == parts


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="0123456789", min_size=18, max_size=18))
def test_any_accepted_number_is_pppk_exactly_when_digit_13_is_the_pppk_code(value: str) -> None:
    try:
        parts = parse_nip(value)
    except DomainError:
        return
    assert (parts.kind is PPPK) == (value[12] == "2")
    assert (parts.appointment_month is None) == (parts.kind is PPPK)
