"""Roster files read into rows: CSV (comma or semicolon) or JSON, header aliases, and the errors."""

from __future__ import annotations

import csv
import io
import json
import re

from appraisal_engine.domain.errors import DomainError
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
    """One problem: the spreadsheet row (header 1, first employee 2; None: whole file), column."""

    row: int | None
    field: str | None
    message: str

    def __str__(self) -> str:
        where = [f"row {self.row}"] if self.row is not None else []
        where += [self.field] if self.field else []
        return f"{', '.join(where)}: {self.message}" if where else self.message


class RosterInvalid(DomainError):
    """A rejected roster with every problem found (MAX_ERRORS kept, `more` counts the rest)."""

    def __init__(self, errors: list[RosterError]) -> None:
        self.errors = errors[:MAX_ERRORS]
        self.more = max(0, len(errors) - MAX_ERRORS)
        n = len(errors)
        summary = f"roster rejected: {n} problem{'' if n == 1 else 's'}"
        if self.more:
            summary += f" (the first {MAX_ERRORS} are listed, {self.more} more not shown)"
        if errors:
            summary += f"; first: {errors[0]}"
        super().__init__(summary)


def shown(text: str, limit: int = 60) -> str:
    """User text safe to echo in an error: bad bytes and lone surrogates as U+FFFD, cut short."""
    return _SURROGATES.sub("\ufffd", text[:limit])


def _invalid(row: int | None, field: str | None, message: str) -> RosterInvalid:
    return RosterInvalid([RosterError(row=row, field=field, message=message)])


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
        raise _invalid(None, None, f"not valid UTF-8 (at byte {e.start}): save as UTF-8") from None
    except json.JSONDecodeError as e:
        raise _invalid(None, None, f"not valid JSON: {e.msg} (line {e.lineno})") from None
    except RecursionError:
        raise _invalid(None, None, "not valid JSON: nested too deeply") from None
    except ValueError as e:  # e.g. an integer too long to convert
        raise _invalid(None, None, f"not valid JSON: {e}") from None
    if isinstance(parsed, dict) and list(parsed) == ["employees"]:
        parsed = parsed["employees"]
    if not isinstance(parsed, list):
        raise _invalid(None, None, 'expected a list of employees or {"employees": [...]}')
    if len(parsed) > max_rows:
        raise _invalid(None, None, f"more than {max_rows} employees: split the file")
    rows: list[dict[str, object]] = []
    errors: list[RosterError] = []
    for index, item in enumerate(parsed):
        row = index + 2  # counted like spreadsheet rows, so messages read the same for both formats
        if not isinstance(item, dict):
            errors.append(RosterError(row=row, field=None, message="must be an object"))
            continue
        values: dict[str, object] = {}
        for key, value in item.items():
            column = column_of(key)
            if column is None or column in values:
                problem = "unknown column" if column is None else f"given twice (also as {column})"
                errors.append(RosterError(row=row, field=shown(key), message=problem))
            else:
                values[column] = value
        for column in COLUMNS:
            if column not in values and column not in _JSON_OPTIONAL:
                errors.append(RosterError(row=row, field=column, message="missing"))
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
            names = ", ".join((*COLUMNS, *CONTACT_COLUMNS))
            expected = names + " (or " + ", ".join(ALIASES) + ")"
            message = f"unknown column; expected {expected}"
            errors.append(RosterError(row=1, field=shown(cell.strip()), message=message))
        elif column in index:
            message = f"column given twice: {cells[index[column]].strip()!r} and {cell.strip()!r}"
            message = shown(message, 200)
            errors.append(RosterError(row=1, field=column, message=message))
        else:
            index[column] = i
    for column in COLUMNS:
        if column not in index and column not in _CSV_OPTIONAL:
            errors.append(RosterError(row=1, field=column, message="missing column"))
    return index


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
                    RosterError(row=row, field=None, message=f"more than {max_rows} rows")
                )
                break
            _undecodable(row, cells, columns, errors)
            if not any(cell.strip() for cell in cells):
                rows.append(dict.fromkeys(COLUMNS, ""))  # kept so later rows keep their numbers
                continue
            stray = any(cell.strip() for i, cell in enumerate(cells) if i not in named)
            if len(cells) < max(named, default=-1) + 1 or stray:
                message = f"has {len(cells)} cells but the header has {len(named)} columns"
                errors.append(RosterError(row=row, field=None, message=message))
            values = {c: cells[i] for c, i in index.items() if i < len(cells)}
            cells_of: dict[str, object] = {c: values.get(c, "") for c in COLUMNS}
            cells_of |= {c: values.get(c, "") for c in CONTACT_COLUMNS if c in index}
            rows.append(cells_of)
    except csv.Error as e:  # the reader cannot go on after this, so the rest is unchecked
        message = f"cannot read the CSV here: {e}"
        errors.append(RosterError(row=row + 1, field=None, message=message))
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
        message = "not valid UTF-8: save the file as 'CSV UTF-8'"
        errors.append(RosterError(row=row, field=columns.get(bad[0]), message=message))
