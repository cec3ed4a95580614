"""A roster: the employees and supervisor tree of one organisation, checked all-or-nothing.

Columns (CSV header names are case-insensitive, outer spaces trimmed, inner spaces or hyphens
read as ``_``; the Indonesian alias in brackets is accepted instead):

- ``nip`` (NIP): 18 digits, a PNS number or an NI PPPK (``domain.nip``); spaces and a leading
  apostrophe are removed. A NIP a spreadsheet turned into a number (``1.98E+17``) is refused
  with a hint. Required.
- ``name`` (nama): full name, kept as written (text that looks like a formula too). Required.
- ``unit_code`` (kode_unit): 1-40 letters, digits, ``.``, ``_`` or ``-``. Required.
- ``unit_name`` (nama_unit): the office's name; one name per unit code. Required.
- ``position`` (jabatan): the post's title. Required.
- ``position_level`` (tingkat_jabatan or jenjang): jpt, administrator, pengawas, pelaksana or
  fungsional, in any case; or their long forms ("JPT Madya", "Jabatan Pimpinan Tinggi
  Pratama", "Jabatan Fungsional Perawat Terampil", ...) or an echelon (II.a ... IV.b), as
  ``domain.levels`` reads them. Required.
- ``supervisor_nip`` (nip_atasan): the direct supervisor's NIP, someone in the roster; empty
  for the heads at the top, whom the regional head (policy ``regional_head_nip``) appraises and
  whose appeals the appeals officer (policy ``appeals_officer_nip``) hears.
  The column is required in CSV; its cells may be empty.
- ``acting`` (plt): true/false, ya/tidak, yes/no, 1/0 or empty (false). Optional column.
- ``email`` (surel, e-mail, alamat_email): where notices are sent; syntax checked, no DNS
  lookup. Optional column; its cells may be empty (that person gets in-app notices only).
- ``phone`` (telepon, no_telepon, no_hp, nomor_hp, hp, ponsel): an Indonesian mobile number
  (08..., 628... or +628...; spaces, dots and hyphens allowed), stored as +628....
  Optional column; its cells may be empty. A bad contact is named by row and column only,
  never repeated in the error.

Text cells are trimmed and may hold no line breaks or control characters, at most 200
characters. CSV: UTF-8 with or without BOM, separated by ``,`` or ``;`` (whichever the header
line has more of), header on row 1; rows with every cell empty are skipped. JSON: a list of
objects with those keys, or ``{"employees": [...]}``; there ``supervisor_nip`` and ``acting``
may be left out, and NIPs must be strings. Errors give the row as a spreadsheet shows it
(header 1, first employee 2; JSON objects are counted the same way). Every unit needs a head:
an employee whose supervisor is empty or in another unit. Nobody supervises someone of a
higher level (``domain.levels.may_supervise``; the same level may). The regional head is
neither in the roster nor named as anyone's supervisor.
"""

from __future__ import annotations

import hashlib
import json
from bisect import bisect_left
from collections.abc import Sequence

from pydantic import PrivateAttr, model_validator

from appraisal_engine.domain.employee import Employee
from appraisal_engine.domain.errors import DomainError
from appraisal_engine.domain.model import Value
from appraisal_engine.domain.roster_check import check_rows
from appraisal_engine.domain.roster_parse import (
    ALIASES,
    COLUMNS,
    CONTACT_COLUMNS,
    RosterError,
    RosterInvalid,
    parse_roster,
)

__all__ = [
    "ALIASES",
    "COLUMNS",
    "CONTACT_COLUMNS",
    "Roster",
    "RosterError",
    "RosterInvalid",
    "parse_roster",
    "validate_roster",
]


def validate_roster(
    rows: list[dict[str, object]], *, top_appraiser_nip: str | None = None
) -> Roster:
    """Check every row and the supervisor tree; the Roster, or RosterInvalid with every problem."""
    employees, errors = check_rows(rows, top_appraiser_nip=top_appraiser_nip)
    if errors:
        raise RosterInvalid(errors)
    return Roster(employees=employees, top_appraiser_nip=top_appraiser_nip)


class Roster(Value):
    """Employees in input order, with who appraises whom derived from the supervisor tree."""

    employees: list[Employee]
    top_appraiser_nip: str | None = None
    _by_nip: dict[str, Employee] = PrivateAttr(default_factory=dict)
    _reports: dict[str | None, list[str]] = PrivateAttr(default_factory=dict)
    _levels: list[list[str]] = PrivateAttr(default_factory=list)
    _checksum: str = PrivateAttr(default="")

    @model_validator(mode="after")
    def _index(self) -> Roster:
        by_nip: dict[str, Employee] = {}
        reports: dict[str | None, list[str]] = {}
        for e in self.employees:
            if e.nip in by_nip:
                raise ValueError(f"duplicate NIP {e.nip}")
            by_nip[e.nip] = e
            reports.setdefault(e.supervisor_nip, []).append(e.nip)
        if self.top_appraiser_nip in by_nip:
            raise ValueError("the top appraiser cannot be in the roster")
        levels: list[list[str]] = []
        frontier = sorted(reports.get(None, []))
        while frontier:
            levels.append(frontier)
            frontier = sorted(n for boss in frontier for n in reports.get(boss, []))
        if sum(len(level) for level in levels) != len(by_nip):
            raise ValueError("some supervisors are unknown or form a loop; use validate_roster")
        canonical = [_canonical(by_nip[n]) for n in sorted(by_nip)]
        text = json.dumps(canonical, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        self._by_nip, self._levels = by_nip, levels
        self._reports = {boss: sorted(nips) for boss, nips in reports.items()}
        self._checksum = hashlib.sha256(text.encode()).hexdigest()
        return self

    @property
    def checksum(self) -> str:
        """SHA-256 (hex) of the canonical JSON of the employees sorted by NIP; row order is moot."""
        return self._checksum

    def by_nip(self, nip: str) -> Employee:
        """The employee with this NIP; DomainError if not in the roster."""
        try:
            return self._by_nip[nip]
        except KeyError:
            raise DomainError(f"{nip} is not in the roster", field="nip") from None

    def supervisor_of(self, nip: str) -> str:
        """The appraiser: the direct supervisor, or the regional head for the heads at the top."""
        boss = self.by_nip(nip).supervisor_nip
        if boss is not None:
            return boss
        if self.top_appraiser_nip is None:
            raise DomainError(
                f"{nip} heads the roster, so the regional head appraises them: set it",
                field="regional_head_nip",
            )
        return self.top_appraiser_nip

    def superior_of(self, nip: str) -> str:
        """The appraiser's superior (atasan pejabat penilai), who hears appeals.

        For a head at the top, whom the regional head appraises, the roster knows nobody above
        the regional head, so the superior is the regional head too: appraiser and superior are
        the same person there. `domain.appeals.superior_in` puts the policy's appeals officer in
        that place; use it for anyone's superior for the year.
        """
        appraiser = self.supervisor_of(nip)
        if appraiser not in self._by_nip:
            return appraiser
        return self.supervisor_of(appraiser)

    def subordinates_of(self, nip: str) -> list[str]:
        """Direct reports' NIPs, sorted."""
        self.by_nip(nip)
        return list(self._reports.get(nip, []))

    def peers_of(self, nip: str, n: int) -> list[str]:
        """At most n others with the same supervisor, sorted by NIP and starting after this one.

        Starting after the employee's own place spreads the asks across the group; the heads at
        the top are each other's peers.
        """
        group = self._reports[self.by_nip(nip).supervisor_nip]
        at = bisect_left(group, nip)
        return (group[at + 1 :] + group[:at])[: max(n, 0)]

    def launch_order(self) -> list[list[str]]:
        """NIPs by depth in the supervisor tree, top heads first, each level sorted."""
        return [list(level) for level in self._levels]

    def depths(self) -> int:
        """How many levels the supervisor tree has (launch_order's length, without its copy)."""
        return len(self._levels)

    def level(self, depth: int) -> Sequence[str]:
        """The sorted NIPs at one depth of the supervisor tree (a view: no copy per batch)."""
        return self._levels[depth]

    def units(self) -> list[str]:
        """The unit codes, sorted."""
        return sorted({e.unit_code for e in self.employees})


def _canonical(employee: Employee) -> dict[str, object]:
    """An employee as the checksum reads it: contacts only when given, so a roster without
    them keeps the checksum (and so the id) it had before the contact columns existed."""
    values = employee.model_dump(mode="json")
    for column in CONTACT_COLUMNS:
        if values.get(column) is None:
            values.pop(column, None)
    return values
