"""Who may mentor: years of service read from the NIP (PNS: year and month; PPPK: the year
alone), and the level, each at its boundary."""

from __future__ import annotations

from datetime import date

import pytest

from appraisal_engine.domain.employee import PositionLevel
from appraisal_engine.domain.mentors import MentorRules, PppkService, may_mentor, years_of_service

L = PositionLevel
PNS = "197801062004072147"  # appointed July 2004
PPPK = "198503152021211004"  # an NI PPPK appointed in 2021, first agreement
TEN_YEARS = MentorRules(min_service_years=10)


def test_a_pns_serves_whole_years_from_the_first_of_the_appointment_month() -> None:
    assert years_of_service(PNS, date(2014, 6, 30)) == 9
    assert years_of_service(PNS, date(2014, 7, 1)) == 10


def test_exactly_the_minimum_years_is_enough_a_day_less_is_not() -> None:
    assert may_mentor(PNS, L.PENGAWAS, TEN_YEARS, date(2014, 7, 1))
    assert not may_mentor(PNS, L.PENGAWAS, TEN_YEARS, date(2014, 6, 30))


def test_a_pppk_s_years_count_from_the_year_after_by_default() -> None:
    assert years_of_service(PPPK, date(2026, 12, 31)) == 4
    assert years_of_service(PPPK, date(2027, 1, 1)) == 5
    five = MentorRules(min_service_years=5)
    assert not may_mentor(PPPK, L.ADMINISTRATOR, five, date(2026, 12, 31))
    assert may_mentor(PPPK, L.ADMINISTRATOR, five, date(2027, 1, 1))


def test_a_pppk_s_years_may_count_from_the_start_of_the_year() -> None:
    rules = MentorRules(min_service_years=5, pppk_service=PppkService.YEAR_START)
    assert years_of_service(PPPK, date(2026, 1, 1), PppkService.YEAR_START) == 5
    assert may_mentor(PPPK, L.ADMINISTRATOR, rules, date(2026, 1, 1))
    assert not may_mentor(PPPK, L.ADMINISTRATOR, rules, date(2025, 12, 31))


@pytest.mark.parametrize(
    ("level", "allowed"),
    [(L.JPT, True), (L.ADMINISTRATOR, True), (L.PENGAWAS, True), (L.FUNGSIONAL, False)],
)
def test_a_leadership_level_is_at_least_the_policy_s(level: PositionLevel, allowed: bool) -> None:
    rules = MentorRules(min_level=L.PENGAWAS)
    assert may_mentor(PNS, level, rules, date(2026, 1, 1)) is allowed


def test_no_rules_let_anyone_mentor_and_a_bad_number_proves_no_years() -> None:
    assert may_mentor(PNS, L.PELAKSANA, MentorRules(), date(2005, 1, 1))
    assert not may_mentor("12345", L.JPT, TEN_YEARS, date(2026, 1, 1))
