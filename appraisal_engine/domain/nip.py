"""NIP (Nomor Induk Pegawai): the 18-digit civil-servant number and its parts."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Annotated

from pydantic import AfterValidator

from appraisal_engine.domain.errors import DomainError

_NIP_RE = re.compile(r"[0-9]{18}")  # ASCII only: \d also matches other scripts' digits


@dataclass(frozen=True)
class NipParts:
    """What an NIP encodes: birth date, appointment month, sex (1 male, 2 female), sequence."""

    birth_date: date
    appointment_year: int
    appointment_month: int
    sex: int
    sequence: int


def parse_nip(value: str) -> NipParts:
    """Split and check an NIP; raises DomainError naming the part that is wrong."""
    if not isinstance(value, str) or not _NIP_RE.fullmatch(value):
        raise DomainError("must be exactly 18 digits", field="nip")
    try:
        birth = date(int(value[0:4]), int(value[4:6]), int(value[6:8]))
    except ValueError:
        raise DomainError("digits 1-8 must be a real birth date (yyyymmdd)", field="nip") from None
    year, month = int(value[8:12]), int(value[12:14])
    if not 1 <= month <= 12:
        raise DomainError("digits 9-14 must be an appointment month (yyyymm)", field="nip")
    if (year, month) < (birth.year + 15, birth.month):
        raise DomainError("appointment month must be at least 15 years after birth", field="nip")
    sex = int(value[14])
    if sex not in (1, 2):
        raise DomainError("digit 15 (sex) must be 1 or 2", field="nip")
    sequence = int(value[15:18])
    if sequence == 0:
        raise DomainError("digits 16-18 (sequence) must not be 000", field="nip")
    return NipParts(birth, year, month, sex, sequence)


def _check_nip(value: str) -> str:
    parse_nip(value)
    return value


Nip = Annotated[str, AfterValidator(_check_nip)]
"""A validated NIP, usable as a pydantic field type."""
