"""A cycle's grades as a CSV file for spreadsheets, safe from formula injection.

Roster text is stored exactly as uploaded: a name, unit name or position may begin with `=`,
`+`, `-` or `@` (a spreadsheet edit, a hyphenated title), and refusing it at upload would turn
away a valid roster, while changing it would hand JSON readers text the roster never said.
Such text is harmless everywhere except in a spreadsheet, which runs a cell beginning with one
of those characters as a formula: `=HYPERLINK("http://x","y")` becomes a link that can leak
data, `=cmd|...` a command on some systems. So the escaping happens here, at the one place text
leaves for a spreadsheet, and only here: every cell goes through the `defusedcsv` writer, which
prefixes a cell beginning with `=`, `+`, `-`, `@`, `|` or `%` with an apostrophe (shown by
spreadsheets as text; a plain negative number such as `-2` is left alone) and escapes `|` in
it. The library leaves a leading tab or carriage return alone, which some spreadsheets skip
before reading a formula, so such a cell gets the same apostrophe here first. (The roster
trims cells and refuses control characters, so none comes from there today; the writer does
not rely on it.)

The file is UTF-8 with a byte order mark, so spreadsheets read names with accents correctly,
comma-separated with CRLF line ends (RFC 4180), and written page by page so memory stays flat
for a city of any size."""

from __future__ import annotations

import io
import re
from collections.abc import AsyncIterator, Iterable, Sequence

from defusedcsv import csv as defused
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from appraisal_engine.store.repositories.exports import GradeLine, grade_lines

MEDIA_TYPE = "text/csv; charset=utf-8"
BOM = "\ufeff"
PAGE_ROWS = 500
HEADER = (
    "nip",
    "name",
    "unit_code",
    "unit_name",
    "position",
    "stage",
    "grade_computed",
    "grade_final",
    "grade_adjusted",
    "outcome",
)
_LEADING_BLANKS = ("\t", "\r")  # not escaped by defusedcsv
# Real cycle ids hold none of these; any other id must not break out of the header's quotes.
_FILENAME_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")


def attachment(cycle_id: str) -> str:
    """The Content-Disposition of a cycle's grades file: `<cycle_id>-grades.csv`, the id
    reduced to characters that cannot leave the header's quotes."""
    filename = _FILENAME_UNSAFE.sub("_", cycle_id) + "-grades.csv"
    return f'attachment; filename="{filename}"'


def _cell(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str) and value.startswith(_LEADING_BLANKS):
        return "'" + value  # the library's own escaped form, which it then leaves alone
    return value


def csv_text(rows: Iterable[Sequence[object]]) -> str:
    """The rows as CSV text, every cell neutralised for spreadsheets; None is an empty cell,
    booleans are true/false."""
    out = io.StringIO()
    writer = defused.writer(out, lineterminator="\r\n")
    writer.writerows([_cell(value) for value in row] for row in rows)
    return out.getvalue()


def cells(line: GradeLine) -> tuple[object, ...]:
    """One appraisal's cells, in HEADER's order (each column is the GradeLine field it names)."""
    return tuple(getattr(line, name) for name in HEADER)


async def csv_chunks(
    sessions: async_sessionmaker[AsyncSession],
    cycle_id: str,
    roster_id: str,
    *,
    first: list[GradeLine],
    page_rows: int = PAGE_ROWS,
) -> AsyncIterator[bytes]:
    """The file in pieces: the header and `first` (a page already read, so a database that is
    down was answered with a 503 before the response began), then each further keyset page,
    each read in a short session of its own."""
    yield (BOM + csv_text([HEADER]) + csv_text(cells(line) for line in first)).encode("utf-8")
    page = first
    while len(page) == page_rows:
        async with sessions() as session:
            page = await grade_lines(
                session, cycle_id, roster_id, after=page[-1].appraisal_id, limit=page_rows
            )
        if page:
            yield csv_text(cells(line) for line in page).encode("utf-8")
