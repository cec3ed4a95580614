"""Employees as a roster snapshot holds them."""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field

from appraisal_engine.domain.model import Value
from appraisal_engine.domain.nip import AsnKind, Nip, asn_kind


class PositionLevel(StrEnum):
    """Where a post sits in the appraisal chain, top first."""

    JPT = "jpt"  # head of office or above: JPT Pratama (echelon II), JPT Madya (I)
    ADMINISTRATOR = "administrator"
    PENGAWAS = "pengawas"
    PELAKSANA = "pelaksana"
    FUNGSIONAL = "fungsional"


# Who is more senior, for picking a mentor. Who may supervise whom is domain.levels' table.
SENIORITY: dict[PositionLevel, int] = {
    PositionLevel.JPT: 4,
    PositionLevel.ADMINISTRATOR: 3,
    PositionLevel.PENGAWAS: 2,
    PositionLevel.FUNGSIONAL: 1,
    PositionLevel.PELAKSANA: 0,
}


class Employee(Value):
    """One civil servant in a roster snapshot."""

    nip: Nip
    name: str = Field(min_length=1, max_length=200)
    unit_code: str = Field(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9._-]+$")
    unit_name: str = Field(min_length=1, max_length=200)
    position: str = Field(min_length=1, max_length=200)
    position_level: PositionLevel
    supervisor_nip: Nip | None = None
    acting: bool = False
    # Contacts for notices: normalised by the roster's cell readers (domain.contact), and never
    # logged. HR and auditors read them with the roster; workflows never carry them.
    email: str | None = Field(default=None, max_length=254)
    phone: str | None = Field(default=None, max_length=20)

    @property
    def asn_kind(self) -> AsnKind:
        """PNS or PPPK, as the NIP says (derived, so rosters and their checksums are unchanged)."""
        return asn_kind(self.nip)
