"""Roster files read into rows: CSV (comma or semicolon) or JSON, header aliases, and the errors."""

from __future__ import annotations

import csv
import io
import json
import re
from typing import Any

from pydantic import Field, model_validator

from appraisal_engine.domain.errors import DomainError, Filler, Wording
from appraisal_engine.domain.model import Value

MAX_ERRORS = 1000
COLUMNS = (
    "nip",
    "name",
    "unit_code",
    "unit_name",
    "position",
    "position_level",
    "supervisor_nip",
    "acting",
)
# Optional columns: a row has them only when the file does, so rosters without them read as before.
CONTACT_COLUMNS = ("email", "phone")
ALIASES: dict[str, str] = {
    "nama": "name",
    "kode_unit": "unit_code",
    "nama_unit": "unit_name",
    "jabatan": "position",
    "tingkat_jabatan": "position_level",
    "jenjang": "position_level",
    "nip_atasan": "supervisor_nip",
    "plt": "acting",
    "surel": "email",
    "e_mail": "email",
    "alamat_email": "email",
    "telepon": "phone",
    "no_telepon": "phone",
    "no_hp": "phone",
    "nomor_hp": "phone",
    "hp": "phone",
    "ponsel": "phone",
}
_NAMES = {c: c for c in (*COLUMNS, *CONTACT_COLUMNS)} | ALIASES
_CSV_OPTIONAL = frozenset({"acting"})
_JSON_OPTIONAL = frozenset({"acting", "supervisor_nip"})
_UNDECODABLE = re.compile("[\udc80-\udcff]")  # bytes that were not UTF-8, kept by surrogateescape
_SEPARATORS = re.compile(r"[\s-]+")
_SURROGATES = re.compile("[\ud800-\udfff]")


class RosterError(Value):
    """One problem: the spreadsheet row (header 1, first employee 2; None: whole file), column,
    and what is wrong as a `template` and its `values` (see Wording), so that a page can say it
    in the reader's language; `message` is its English text, derived from them. Built with
    `message=` alone, it is a sentence with no values. Two errors are equal when they say the
    same at the same place."""

    row: int | None
    field: str | None
    message: str = ""
    template: str = ""
    values: dict[str, Filler] = Field(default_factory=dict)

    @model_validator(mode="before")
    @classmethod
    def _worded(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        template = data.get("template") or Wording.fixed(str(data.get("message", ""))).template
        said = str(Wording(template, data.get("values") or {}))
        if data.get("message", said) != said:
            raise ValueError("the message differs from its template filled in")
        return {**data, "template": template, "message": said}

    @classmethod
    def of(cls, row: int | None, field: str | None, wording: Wording) -> RosterError:
        """The problem `wording` says, at `row` and `field`."""
        return cls(row=row, field=field, template=wording.template, values=dict(wording.values))

    @property
    def wording(self) -> Wording:
        """What is wrong, to be read in any language."""
        return Wording(self.template, self.values)

    def located(self) -> Wording:
        """The problem with its row and column in front ("row 3, nip: ...")."""
        found = {"row": self.row, "field": self.field, "message": self.wording}
        if self.row is not None and self.field:
            template = "row %(row)s, %(field)s: %(message)s"
        elif self.row is not None:
            template = "row %(row)s: %(message)s"
        elif self.field:
            template = "%(field)s: %(message)s"
        else:
            return self.wording
        return Wording(template, {k: v for k, v in found.items() if v is not None})

    def __str__(self) -> str:
        return str(self.located())

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, RosterError):
            return NotImplemented
        return (self.row, self.field, self.message) == (other.row, other.field, other.message)

    def __hash__(self) -> int:
        return hash((self.row, self.field, self.message))


class RosterInvalid(DomainError):
    """A rejected roster with every problem found (MAX_ERRORS kept, `more` counts the rest)."""

    def __init__(self, errors: list[RosterError]) -> None:
        self.errors = errors[:MAX_ERRORS]
        self.more = max(0, len(errors) - MAX_ERRORS)
        n = len(errors)
        one = "roster rejected: %(n)s problem" if n == 1 else "roster rejected: %(n)s problems"
        summary = Wording(one, {"n": n})
        if self.more:
            summary = Wording(
                "%(summary)s (the first %(listed)s are listed, %(more)s more not shown)",
                {"summary": summary, "listed": MAX_ERRORS, "more": self.more},
            )
        if errors:
            summary = Wording(
                "%(summary)s; first: %(first)s", {"summary": summary, "first": errors[0].located()}
            )
        super().__init__(summary.template, values=summary.values)


def shown(text: str, limit: int = 60) -> str:
    """User text safe to echo in an error: bad bytes and lone surrogates as U+FFFD, cut short."""
    return _SURROGATES.sub("\ufffd", text[:limit])


def _invalid(row: int | None, field: str | None, template: str, **values: Filler) -> RosterInvalid:
    return RosterInvalid([RosterError(row=row, field=field, template=template, values=values)])


def column_of(header: str) -> str | None:
    """The canonical column a header names (case, outer spaces, inner spaces/hyphens ignored)."""
    return _NAMES.get(_SEPARATORS.sub("_", header.strip().strip("\ufeff").strip().lower()))


def parse_roster(
    data: bytes, *, content_type: str | None = None, max_rows: int = 100_000
) -> list[dict[str, object]]:
    """Read a CSV or JSON roster into rows keyed by canonical column; RosterInvalid if bad."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise _invalid(None, None, "the file is UTF-16: save it as 'CSV UTF-8' (or JSON in UTF-8)")
    if not data.strip():
        raise _invalid(None, None, "the file is empty")
    if (content_type and "json" in content_type.lower()) or data.lstrip()[:1] in (b"[", b"{"):
        return _parse_json(data, max_rows)
    return _parse_csv(data, max_rows)


def _parse_json(data: bytes, max_rows: int) -> list[dict[str, object]]:
    try:
        parsed = json.loads(data.decode("utf-8"))
    except UnicodeDecodeError as e:
        raise _invalid(
            None, None, "not valid UTF-8 (at byte %(byte)s): save as UTF-8", byte=e.start
        ) from None
    except json.JSONDecodeError as e:
        raise _invalid(
            None, None, "not valid JSON: %(error)s (line %(line)s)", error=e.msg, line=e.lineno
        ) from None
    except RecursionError:
        raise _invalid(None, None, "not valid JSON: nested too deeply") from None
    except ValueError as e:  # e.g. an integer too long to convert
        raise _invalid(None, None, "not valid JSON: %(error)s", error=str(e)) from None
    if isinstance(parsed, dict) and list(parsed) == ["employees"]:
        parsed = parsed["employees"]
    if not isinstance(parsed, list):
        raise _invalid(None, None, 'expected a list of employees or {"employees": [...]}')
    if len(parsed) > max_rows:
        raise _invalid(None, None, "more than %(max)s employees: split the file", max=max_rows)
    rows: list[dict[str, object]] = []
    errors: list[RosterError] = []
    for index, item in enumerate(parsed):
        row = index + 2  # counted like spreadsheet rows, so messages read the same for both formats
        if not isinstance(item, dict):
            errors.append(RosterError(row=row, field=None, template="must be an object"))
            continue
        values: dict[str, object] = {}
        for key, value in item.items():
            column = column_of(key)
            if column is None:
                errors.append(RosterError(row=row, field=shown(key), template="unknown column"))
            elif column in values:
                errors.append(
                    RosterError(
                        row=row,
                        field=shown(key),
                        template="given twice (also as %(column)s)",
                        values={"column": column},
                    )
                )
            else:
                values[column] = value
        for column in COLUMNS:
            if column not in values and column not in _JSON_OPTIONAL:
                errors.append(RosterError(row=row, field=column, template="missing"))
        row_values = {c: values.get(c) for c in COLUMNS}
        row_values |= {c: values[c] for c in CONTACT_COLUMNS if c in values}
        rows.append(row_values)
    if errors:
        raise RosterInvalid(errors)
    return rows


def _header(cells: list[str], errors: list[RosterError]) -> dict[str, int]:
    """Column name -> cell index; unknown, repeated and missing columns reported as row 1."""
    index: dict[str, int] = {}
    for i, cell in enumerate(cells):
        if not cell.strip():
            continue  # an unnamed column is allowed while it stays empty (checked per row)
        column = column_of(cell)
        if column is None:
            errors.append(
                RosterError(
                    row=1,
                    field=shown(cell.strip()),
                    template="unknown column; expected %(columns)s (or %(aliases)s)",
                    values={
                        "columns": ", ".join((*COLUMNS, *CONTACT_COLUMNS)),
                        "aliases": ", ".join(ALIASES),
                    },
                )
            )
        elif column in index:
            errors.append(RosterError.of(1, column, _twice(cells[index[column]], cell)))
        else:
            index[column] = i
    for column in COLUMNS:
        if column not in index and column not in _CSV_OPTIONAL:
            errors.append(RosterError(row=1, field=column, template="missing column"))
    return index


def _twice(first: str, second: str) -> Wording:
    """Two header cells naming one column, each quoted; cut to 200 characters as a whole."""
    said = Wording(
        "column given twice: %(first)s and %(second)s",
        {"first": repr(first.strip()), "second": repr(second.strip())},
    )
    text = shown(str(said), 200)
    return said if text == str(said) else Wording.fixed(text)


def _parse_csv(data: bytes, max_rows: int) -> list[dict[str, object]]:
    # Decode leniently so bad bytes can be reported with the row that holds them.
    text = data.decode("utf-8", errors="surrogateescape")
    first_line = re.split(r"[\r\n]", text, maxsplit=1)[0]
    if "\t" in first_line and not {",", ";"} & set(first_line):
        raise _invalid(1, None, "columns are separated by tabs: save as CSV (with , or ;)")
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    errors: list[RosterError] = []
    rows: list[dict[str, object]] = []
    row = 0  # the last record read whole
    try:
        header = next(reader, [])
        row = 1
        _undecodable(1, header, {}, errors)
        index = _header(header, errors)
        columns = {i: c for c, i in index.items()}
        named = {i for i, cell in enumerate(header) if cell.strip()}
        for row, cells in enumerate(reader, start=2):
            if row - 1 > max_rows:
                errors.append(
                    RosterError(
                        row=row,
                        field=None,
                        template="more than %(max)s rows",
                        values={"max": max_rows},
                    )
                )
                break
            _undecodable(row, cells, columns, errors)
            if not any(cell.strip() for cell in cells):
                rows.append(dict.fromkeys(COLUMNS, ""))  # kept so later rows keep their numbers
                continue
            stray = any(cell.strip() for i, cell in enumerate(cells) if i not in named)
            if len(cells) < max(named, default=-1) + 1 or stray:
                errors.append(
                    RosterError(
                        row=row,
                        field=None,
                        template="has %(cells)s cells but the header has %(columns)s columns",
                        values={"cells": len(cells), "columns": len(named)},
                    )
                )
            values = {c: cells[i] for c, i in index.items() if i < len(cells)}
            cells_of: dict[str, object] = {c: values.get(c, "") for c in COLUMNS}
            cells_of |= {c: values.get(c, "") for c in CONTACT_COLUMNS if c in index}
            rows.append(cells_of)
    except csv.Error as e:  # the reader cannot go on after this, so the rest is unchecked
        errors.append(
            RosterError(
                row=row + 1,
                field=None,
                template="cannot read the CSV here: %(error)s",
                values={"error": str(e)},
            )
        )
    if errors:
        raise RosterInvalid(errors)
    while rows and not any(rows[-1].values()):
        rows.pop()
    return rows


def _undecodable(
    row: int, cells: list[str], columns: dict[int, str], errors: list[RosterError]
) -> None:
    bad = [i for i, cell in enumerate(cells) if _UNDECODABLE.search(cell)]
    if bad:
        errors.append(
            RosterError(
                row=row,
                field=columns.get(bad[0]),
                template="not valid UTF-8: save the file as 'CSV UTF-8'",
            )
        )
