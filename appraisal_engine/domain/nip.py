"""NIP (Nomor Induk Pegawai): the 18-digit number of a civil servant (PNS) or of a contract
employee (PPPK, whose number BKN calls NI PPPK), and its parts.

Both start with the birth date (yyyymmdd) and the year of appointment, and end with the sex
(1 male, 2 female) and a sequence. Digits 13-14 tell them apart: a PNS number has the month of
appointment there (01-12); an NI PPPK has the PPPK code, a `2` and the number of the work
agreement (1-9: `21` for the first, the form seen on most numbers). A month never starts with
2, so the kind is never in doubt. The PPPK layout is from secondary sources, not a BKN text
(see docs/policies.md), so it is data: `NipLayout`, with `LAYOUT` the one in force.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Annotated

from pydantic import AfterValidator

from appraisal_engine.domain.errors import DomainError

_NIP_RE = re.compile(r"[0-9]{18}")  # ASCII only: \d also matches other scripts' digits
MIN_AGE = 15  # a plausibility floor for the appointment, not the law's (18 for PNS, 20 for PPPK)


class AsnKind(StrEnum):
    """Which kind of civil servant a number belongs to."""

    PNS = "pns"  # Pegawai Negeri Sipil: permanent
    PPPK = "pppk"  # Pegawai Pemerintah dengan Perjanjian Kerja: on a work agreement


@dataclass(frozen=True)
class NipLayout:
    """What an NI PPPK's digits 13-14 may hold, and since when PPPK numbers exist."""

    pppk_code: str = "2"  # digit 13 of an NI PPPK
    agreements: tuple[int, int] = (1, 9)  # digit 14: the work agreement's number, lowest-highest
    pppk_since: int = 2019  # PP 49/2018 created PPPK; the first were recruited in 2019


LAYOUT = NipLayout()


@dataclass(frozen=True)
class NipParts:
    """What a number encodes. A PNS number has the month of appointment and no agreement; an
    NI PPPK has the year only (`appointment_month` None) and the work agreement's number."""

    birth_date: date
    appointment_year: int
    appointment_month: int | None
    sex: int
    sequence: int
    kind: AsnKind = AsnKind.PNS
    agreement: int | None = None

    @property
    def appointed_from(self) -> date:
        """The first day the number says the person may have served: the first of the month of
        appointment (PNS), or 1 January of the year (PPPK: the number holds no month)."""
        return date(self.appointment_year, self.appointment_month or 1, 1)

    def years_of_service(self, on: date) -> int:
        """Whole years from `appointed_from` to `on` (0 before it). For PPPK it may count up to
        11 months more than served, as the number holds no month: a rule needing exact service
        reads the appointment decree (SK), which the roster does not carry."""
        start = self.appointed_from
        years = on.year - start.year - ((on.month, on.day) < (start.month, start.day))
        return max(0, years)


def parse_nip(value: str, layout: NipLayout = LAYOUT) -> NipParts:
    """Split and check a PNS number or an NI PPPK; raises DomainError naming the part wrong."""
    if not isinstance(value, str) or not _NIP_RE.fullmatch(value):
        raise DomainError("must be exactly 18 digits", field="nip")
    try:
        birth = date(int(value[0:4]), int(value[4:6]), int(value[6:8]))
    except ValueError:
        raise DomainError("digits 1-8 must be a real birth date (yyyymmdd)", field="nip") from None
    year = int(value[8:12])
    if value[12] == layout.pppk_code:
        parts = _pppk(value, birth, year, layout)
    else:
        parts = _pns(value, birth, year, layout)
    if parts.sex not in (1, 2):
        raise DomainError("digit 15 (sex) must be 1 or 2", field="nip")
    if parts.sequence == 0:
        raise DomainError("digits 16-18 (sequence) must not be 000", field="nip")
    return parts


def _pns(value: str, birth: date, year: int, layout: NipLayout) -> NipParts:
    month = int(value[12:14])
    if not 1 <= month <= 12:
        lo, hi = layout.agreements
        raise DomainError(
            "digits 13-14 must be an appointment month (01-12), or %(codes)s for PPPK",
            field="nip",
            values={"codes": f"{layout.pppk_code}{lo}-{layout.pppk_code}{hi}"},
        )
    if (year, month) < (birth.year + MIN_AGE, birth.month):
        raise DomainError("appointment month must be at least 15 years after birth", field="nip")
    return NipParts(birth, year, month, int(value[14]), int(value[15:18]))


def _pppk(value: str, birth: date, year: int, layout: NipLayout) -> NipParts:
    agreement = int(value[13])
    lo, hi = layout.agreements
    if not lo <= agreement <= hi:
        raise DomainError(
            "digit 14 of an NI PPPK (the work agreement's number) must be %(lo)s-%(hi)s",
            field="nip",
            values={"lo": lo, "hi": hi},
        )
    if year < layout.pppk_since:
        raise DomainError(
            "digits 9-12 of an NI PPPK (the year of appointment) must be %(since)s or later",
            field="nip",
            values={"since": layout.pppk_since},
        )
    if year < birth.year + MIN_AGE:  # the number holds no month: the year must allow it
        raise DomainError(
            "appointment year must be at least 15 years after the year of birth", field="nip"
        )
    sex, sequence = int(value[14]), int(value[15:18])
    return NipParts(birth, year, None, sex, sequence, AsnKind.PPPK, agreement)


def asn_kind(nip: str) -> AsnKind:
    """PNS or PPPK, for a number that is valid (DomainError otherwise)."""
    return parse_nip(nip).kind


def _check_nip(value: str) -> str:
    parse_nip(value)
    return value


Nip = Annotated[str, AfterValidator(_check_nip)]
"""A validated NIP (PNS number or NI PPPK), usable as a pydantic field type."""
