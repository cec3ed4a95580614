"""Who may mentor: an experienced leader, by the years of service the NIP tells and the level.

A PNS number holds the year and month of appointment (digits 9-14); an NI PPPK only the year,
so its service is counted as `PppkService` says (see docs/policies.md)."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from pydantic import Field

from appraisal_engine.domain.employee import SENIORITY, PositionLevel
from appraisal_engine.domain.errors import DomainError
from appraisal_engine.domain.model import Value
from appraisal_engine.domain.nip import AsnKind, parse_nip


class PppkService(StrEnum):
    """From when an NI PPPK's service counts, its number holding the year only."""

    YEAR_END = "year_end"  # from 1 January after the year: never more than served
    YEAR_START = "year_start"  # from 1 January of the year: up to 11 months more than served


class MentorRules(Value):
    """What a mentor must be, beyond a senior of the mentee's unit with room (None: no rule)."""

    min_service_years: int | None = Field(default=None, ge=0, le=40)
    min_level: PositionLevel | None = None
    pppk_service: PppkService = PppkService.YEAR_END


def years_of_service(nip: str, on: date, pppk: PppkService = PppkService.YEAR_END) -> int:
    """Whole years served on `on`, as the number tells them; DomainError for a bad number."""
    parts = parse_nip(nip)
    if parts.kind is AsnKind.PPPK and pppk is PppkService.YEAR_END:
        start = date(parts.appointment_year + 1, 1, 1)
        return max(0, on.year - start.year - ((on.month, on.day) < (start.month, start.day)))
    return parts.years_of_service(on)


def may_mentor(nip: str, level: PositionLevel, rules: MentorRules, on: date) -> bool:
    """Whether someone meets the rules on `on`: at least the level, at least the years."""
    if rules.min_level is not None and SENIORITY[level] < SENIORITY[rules.min_level]:
        return False
    if rules.min_service_years is None:
        return True
    try:
        return years_of_service(nip, on, rules.pppk_service) >= rules.min_service_years
    except DomainError:
        return False  # a number that tells nothing proves no years
