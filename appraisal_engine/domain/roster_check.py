"""Roster rows checked as a whole: duplicates, unknown supervisors, loops, units and their heads,
and supervisors below the level of those they supervise."""

from __future__ import annotations

from dataclasses import dataclass

from appraisal_engine.domain.employee import Employee, PositionLevel
from appraisal_engine.domain.errors import Wording
from appraisal_engine.domain.levels import may_supervise
from appraisal_engine.domain.roster_cells import is_blank, read_row
from appraisal_engine.domain.roster_parse import RosterError


@dataclass
class _Row:
    """What the tree checks need of a row; None where the cell was bad (and already reported)."""

    row: int
    nip: str | None
    boss: str | None
    boss_ok: bool  # False: the supervisor is unreadable or unknown, so the tree there is unknown
    unit: str | None
    unit_name: str | None
    level: PositionLevel | None


def _fact(row: int, values: dict[str, object]) -> _Row:
    def text(column: str) -> str | None:
        value = values.get(column)
        return value if isinstance(value, str) else None

    level = values.get("position_level")
    return _Row(
        row=row,
        nip=text("nip"),
        boss=text("supervisor_nip"),
        boss_ok="supervisor_nip" in values,
        unit=text("unit_code"),
        unit_name=text("unit_name"),
        level=level if isinstance(level, PositionLevel) else None,
    )


def _loops(boss_of: dict[str, str | None]) -> list[list[str]]:
    """Every supervisor loop, each as the NIPs along it."""
    state: dict[str, bool] = {}  # True while on the path being walked, False once finished
    loops: list[list[str]] = []
    for start in boss_of:
        path: list[str] = []
        node: str | None = start
        while node is not None and node not in state:
            state[node] = True
            path.append(node)
            node = boss_of.get(node)
        if node is not None and state[node]:
            loops.append(path[path.index(node) :])
        state.update(dict.fromkeys(path, False))
    return loops


def _boss_problem(f: _Row, first: dict[str, _Row], top: str | None) -> Wording | None:
    if f.boss is None:
        return None
    if f.boss == f.nip:
        return Wording("an employee cannot be their own supervisor")
    if f.boss == top and top not in first:  # in the roster: reported once, on its own row
        return Wording(
            "is the regional head: leave supervisor_nip empty for the heads they appraise"
        )
    if f.boss not in first:
        return Wording("supervisor %(nip)s is not in the roster", {"nip": f.boss})
    return None


def _tree(facts: list[_Row], top: str | None, errors: list[RosterError]) -> None:
    """Duplicates, unknown supervisors, loops, unit names and unit heads."""
    first: dict[str, _Row] = {}
    for f in facts:
        if f.nip is None:
            continue
        if f.nip in first:
            errors.append(
                RosterError(
                    row=f.row,
                    field="nip",
                    template="duplicate NIP: also in row %(row)s",
                    values={"row": first[f.nip].row},
                )
            )
        else:
            first[f.nip] = f
    if top is not None and top in first:
        errors.append(
            RosterError(
                row=first[top].row,
                field="nip",
                template="is the top appraiser (policy regional_head_nip), "
                "who cannot be in the roster",
            )
        )
    for f in facts:
        problem = _boss_problem(f, first, top)
        if problem:
            f.boss_ok = False
            errors.append(RosterError.of(f.row, "supervisor_nip", problem))
    boss_of = {nip: f.boss if f.boss_ok else None for nip, f in first.items()}
    for loop in _loops(boss_of):
        rows = [first[nip].row for nip in loop]
        at = rows.index(min(rows))
        rows = rows[at:] + rows[:at] + [rows[at]]
        path = Wording.join(" -> ", [Wording("row %(row)s", {"row": r}) for r in rows])
        errors.append(
            RosterError(
                row=rows[0],
                field="supervisor_nip",
                template="supervisor loop: %(rows)s",
                values={"rows": path},
            )
        )
    _units(facts, first, errors)
    _levels(facts, first, errors)


def _levels(facts: list[_Row], first: dict[str, _Row], errors: list[RosterError]) -> None:
    """A supervisor at a level below the employee's (domain.levels), named by both rows."""
    for f in facts:
        boss = first.get(f.boss) if f.boss_ok and f.boss is not None else None
        if boss is None or boss.level is None or f.level is None:
            continue  # an unknown supervisor or an unreadable level already has its error
        if not may_supervise(boss.level, f.level):
            errors.append(
                RosterError(
                    row=f.row,
                    field="supervisor_nip",
                    template="the supervisor in row %(row)s is at level %(boss)s, below this "
                    "employee's level %(level)s: a supervisor is at the same level or higher",
                    values={"row": boss.row, "boss": boss.level.value, "level": f.level.value},
                )
            )


def _units(facts: list[_Row], first: dict[str, _Row], errors: list[RosterError]) -> None:
    """One name per unit code, and a head in every unit whose supervisors are all known."""
    members: dict[str, list[_Row]] = {}
    for f in facts:
        if f.unit is not None:
            members.setdefault(f.unit, []).append(f)
    for code, people in members.items():
        named = next((p for p in people if p.unit_name is not None), None)
        for p in people:
            if named is not None and p.unit_name not in (None, named.unit_name):
                errors.append(
                    RosterError(
                        row=p.row,
                        field="unit_name",
                        template="unit %(code)s is named %(name)s in row %(row)s",
                        values={"code": code, "name": repr(named.unit_name), "row": named.row},
                    )
                )
        bosses = [first[p.boss].unit if p.boss is not None else code for p in people if p.boss_ok]
        if len(bosses) < len(people) or None in bosses:
            continue  # a supervisor is unreadable: its row carries the error
        if all(p.boss is not None and unit == code for p, unit in zip(people, bosses, strict=True)):
            errors.append(
                RosterError(
                    row=people[0].row,
                    field="unit_code",
                    template="unit %(code)s has no head: every employee's supervisor is in the "
                    "same unit; the head's supervisor_nip must be empty or someone in another unit",
                    values={"code": code},
                )
            )


def check_rows(
    rows: list[dict[str, object]], *, top_appraiser_nip: str | None = None
) -> tuple[list[Employee], list[RosterError]]:
    """Every row's Employee and every problem found, sorted with whole-file problems first."""
    errors: list[RosterError] = []
    employees: list[Employee] = []
    facts: list[_Row] = []
    for index, raw in enumerate(rows):
        row = index + 2  # row 1 is the header, as a spreadsheet shows it
        if not isinstance(raw, dict):
            errors.append(RosterError(row=row, field=None, template="must be an object"))
            continue
        if is_blank(raw):
            continue
        cells = read_row(raw, row, errors)
        facts.append(_fact(row, cells.values))
        if cells.employee is not None:
            employees.append(cells.employee)
    if not facts:
        errors.append(RosterError(row=None, field=None, template="the roster has no employees"))
    _tree(facts, top_appraiser_nip, errors)
    errors.sort(key=lambda e: (e.row is not None, e.row or 0))
    return employees, errors
