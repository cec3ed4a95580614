"""Roster cells read one by one: NIPs as spreadsheets mangle them, levels, flags, plain text."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from pydantic import ValidationError

from appraisal_engine.domain.contact import email_address, mobile_number
from appraisal_engine.domain.employee import Employee, PositionLevel
from appraisal_engine.domain.errors import DomainError, Filler, validation_wording
from appraisal_engine.domain.levels import read_level
from appraisal_engine.domain.nip import parse_nip
from appraisal_engine.domain.roster_parse import COLUMNS, CONTACT_COLUMNS, RosterError, shown

_SCIENTIFIC = re.compile(r"[0-9]([.,][0-9]*)?[eE][+]?[0-9]+")
_SPACES = re.compile(r"\s+")
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")  # NUL and lone surrogates break stores
_UNIT_CODE = re.compile(r"[A-Za-z0-9._-]{1,40}")
_TRUE, _FALSE = {"true", "ya", "yes", "1"}, {"false", "tidak", "no", "0", ""}


@dataclass(frozen=True)
class Cells:
    """A row's readable values by column (bad ones left out), and its Employee if all were good."""

    values: dict[str, object]
    employee: Employee | None


def _text(value: object, column: str, limit: int = 200) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise DomainError("must be text", field=column)
    text = value.strip()
    if not text:
        raise DomainError("must not be empty", field=column)
    if len(text) > limit:
        raise DomainError(
            "must be at most %(limit)s characters", field=column, values={"limit": limit}
        )
    if _CONTROL.search(text):
        raise DomainError("must not contain control characters or line breaks", field=column)
    return text


def _nip(value: object, column: str) -> str | None:
    """A NIP cell without spaces and the apostrophe spreadsheets add; None when empty."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        raise DomainError("must be text: a number this long loses digits", field=column)
    if value is None:
        return None
    if not isinstance(value, str):
        raise DomainError("must be text", field=column)
    nip = _SPACES.sub("", value).lstrip("'\u2019")
    if not nip:
        return None
    if _SCIENTIFIC.fullmatch(nip):
        raise DomainError(
            "the spreadsheet turned the NIP into a number (%(nip)s) and lost digits: "
            "format the column as Text and type the NIPs again",
            field=column,
            values={"nip": nip},
        )
    try:
        parse_nip(nip)
    except DomainError as e:
        got: dict[str, Filler] = {"reason": e.wording, "got": repr(nip[:40])}
        raise DomainError("%(reason)s (got %(got)s)", field=column, values=got) from None
    return nip


def _level(value: object) -> PositionLevel:
    """A level's code, its long name or an echelon (domain.levels); the codes listed if none."""
    text = _text(value, "position_level")
    level = read_level(text)
    if level is None:
        allowed = ", ".join(code.value for code in PositionLevel)
        raise DomainError(
            "must be one of %(allowed)s (got %(got)s)",
            field="position_level",
            values={"allowed": allowed, "got": repr(text.lower()[:40])},
        )
    return level


def _acting(value: object) -> bool:
    if isinstance(value, bool):
        return value
    text = "" if value is None else str(value) if isinstance(value, int) else value
    if isinstance(text, str) and text.strip().lower() in _TRUE | _FALSE:
        return text.strip().lower() in _TRUE
    raise DomainError("must be true/false, ya/tidak, yes/no, 1/0 or empty", field="acting")


def _required_nip(value: object) -> str:
    nip = _nip(value, "nip")
    if nip is None:
        raise DomainError("must not be empty", field="nip")
    return nip


def _unit_code(value: object) -> str:
    code = _text(value, "unit_code")
    if not _UNIT_CODE.fullmatch(code):
        message = "must be 1-40 letters, digits, '.', '_' or '-' (no spaces)"
        raise DomainError(message, field="unit_code")
    return code


def _contact(value: object, column: str) -> str | None:
    """An optional contact cell, normalised; None when empty. Never echoed in an error."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if not isinstance(value, str):
        raise DomainError("must be text", field=column)
    if len(value) > 320 or _CONTROL.search(value):
        raise DomainError("is not valid", field=column)
    text = value.strip()
    return email_address(text, column) if column == "email" else mobile_number(text, column)


_READERS: dict[str, Callable[[object], object]] = {
    "nip": _required_nip,
    "name": lambda v: _text(v, "name"),
    "unit_code": _unit_code,
    "unit_name": lambda v: _text(v, "unit_name"),
    "position": lambda v: _text(v, "position"),
    "position_level": _level,
    "supervisor_nip": lambda v: _nip(v, "supervisor_nip"),
    "acting": _acting,
    "email": lambda v: _contact(v, "email"),
    "phone": lambda v: _contact(v, "phone"),
}
_ALL_COLUMNS = (*COLUMNS, *CONTACT_COLUMNS)


def read_row(raw: dict[str, object], row: int, errors: list[RosterError]) -> Cells:
    """One row's cells checked, each problem added to errors; the Employee when all are good."""
    values: dict[str, object] = {}
    for key in raw:
        if key not in _READERS:
            errors.append(RosterError(row=row, field=shown(str(key)), template="unknown column"))
    for column in _ALL_COLUMNS:
        try:
            values[column] = _READERS[column](raw.get(column))
        except DomainError as e:
            errors.append(RosterError.of(row, column, e.wording))
    if len(values) < len(_ALL_COLUMNS) or any(key not in _READERS for key in raw):
        return Cells(values, None)
    try:
        return Cells(values, Employee.model_validate(values))
    except ValidationError as e:  # a rule the cell checks above do not repeat
        for err in e.errors():
            field = str(err["loc"][0]) if err["loc"] else None
            errors.append(RosterError.of(row, field, validation_wording(err)))
        return Cells(values, None)


def is_blank(raw: dict[str, object]) -> bool:
    """A row with no value at all (spreadsheets leave them between and after rows)."""
    return all(v is None or (isinstance(v, str) and not v.strip()) for v in raw.values())
