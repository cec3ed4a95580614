"""The domain's roster problems and launch refusals can be said in Bahasa Indonesia: every
template the domain builds them with is listed in web/refusals.py (so the catalog has it), no
message there is built with an f-string, and a page fills the translated template in."""

from __future__ import annotations

import ast
import csv
import io
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from appraisal_engine.domain.curve import CurveRule, UnitRating
from appraisal_engine.domain.errors import DomainError, Wording, say
from appraisal_engine.domain.launch import LaunchRefused, check_launch, check_policy, launch_roster
from appraisal_engine.domain.presets import NATIONAL, preset
from appraisal_engine.domain.ratings import Grade
from appraisal_engine.domain.roster import Roster, RosterInvalid, parse_roster, validate_roster
from appraisal_engine.simulator.roster import generate_roster, roster_csv
from appraisal_engine.web.i18n import translations
from appraisal_engine.web.refusals import (
    CODES,
    FOLLOW_UP_REFUSALS,
    LAUNCH_REFUSALS,
    POLICY_PROBLEMS,
    REFUSALS,
    ROSTER_PROBLEMS,
    WORKFLOW_REFUSALS,
)

DOMAIN = Path(__file__).resolve().parents[2] / "appraisal_engine" / "domain"
MODULES = (
    "roster_parse",
    "roster_cells",
    "roster_check",
    "launch",
    "appeals",
    "presets",
    "curve_order",
    "development",
    "teladan",
    "planning",
    "periodic",
    "peer",
    "review",
    "policy",
)
LISTED = frozenset(
    REFUSALS
    + ROSTER_PROBLEMS
    + POLICY_PROBLEMS
    + LAUNCH_REFUSALS
    + WORKFLOW_REFUSALS
    + FOLLOW_UP_REFUSALS
    + CODES
)
# Where each builder takes its template: a positional index, or only by keyword.
BUILDERS: dict[str, int | None] = {
    "Wording": 0,
    "DomainError": 0,
    "LaunchRefused": 0,
    "RosterError": None,
    "_invalid": 2,
    "_check_named": 2,
}
KEYWORDS = ("template", "message")
PLACEHOLDER = re.compile(r"%\(\w+\)s")
UNKNOWN = "199001012020011001"  # an NIP in no generated roster
# Both refusals of the curve's order: Baik with no cap on Sangat Baik, Kurang above Butuh
# Perbaikan's.
OUT_OF_ORDER = {
    **NATIONAL.curve,
    UnitRating.BAIK: [
        r for r in NATIONAL.curve[UnitRating.BAIK] if Grade.SANGAT_BAIK not in r.grades
    ],
    UnitRating.KURANG: [CurveRule(grades=frozenset({Grade.SANGAT_BAIK}), max_share=0.2)],
}


def wordless(template: str) -> bool:
    """A template of placeholders and punctuation only: it reads the same in any language."""
    return not re.search(r"[A-Za-z]", PLACEHOLDER.sub("", template))


def unlisted(templates: set[str]) -> list[str]:
    return sorted(t for t in templates if t not in LISTED and not wordless(t))


def _callee(call: ast.Call) -> str:
    func = call.func
    return func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")


def _template_args(call: ast.Call) -> Iterator[ast.expr]:
    at = BUILDERS[_callee(call)]
    if at is not None and len(call.args) > at:
        yield call.args[at]
    yield from (k.value for k in call.keywords if k.arg in KEYWORDS)


def test_every_template_the_domain_writes_is_listed_and_none_is_an_f_string() -> None:
    written: set[str] = set()
    built: list[str] = []
    for name in MODULES:
        tree = ast.parse((DOMAIN / f"{name}.py").read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and _callee(node) in BUILDERS:
                for arg in _template_args(node):
                    if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                        written.add(arg.value)
                    elif isinstance(arg, ast.JoinedStr | ast.BinOp):
                        built.append(f"{name}.py:{arg.lineno}")
            # A template kept in a variable first (chosen among several) is found by its
            # placeholders.
            elif (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and PLACEHOLDER.search(node.value)
            ):
                written.add(node.value)
    assert len(written) > 60, "the scan found too few templates: has the code moved?"
    assert not built, f"messages built with an f-string or +, not a template: {built}"
    assert not unlisted(written), f"templates missing from web/refusals.py: {unlisted(written)}"


def templates_in(wording: Wording) -> Iterator[str]:
    """The wording's template and those of the sentences inside it."""
    yield wording.template
    for value in wording.values.values():
        if isinstance(value, Wording):
            yield from templates_in(value)


def roster_problems(data: bytes, **kwargs: object) -> list[Wording]:
    with pytest.raises(RosterInvalid) as info:
        validate_roster(parse_roster(data), **kwargs)  # type: ignore[arg-type]
    return [e.wording for e in info.value.errors] + [info.value.wording]


BAD_FILES = [
    b"",
    b"\xff\xfeabc",
    b"[1, 2",
    b"nip\tname\n1\t2\n",
    b'[{"nip": "1", "nama": "a", "name": "b", "hobby": 1}, 3]',
    b"nip,name,nama,hobby\n\xff,1,2,3\n",
]


def bad_rows() -> bytes:
    """One of each row problem: a bad NIP (and one a spreadsheet turned into a number), an
    unknown supervisor, a unit with two names, a bad level and flag, a name too long."""
    people = generate_roster(6, units=2, seed=3)
    rows = list(csv.DictReader(io.StringIO(roster_csv(people).decode())))
    rows[1]["nip"] = "12345"
    rows[2].update(nip="1.98E+17", position_level="boss", acting="maybe")
    rows[3].update(supervisor_nip=UNKNOWN, unit_name="Another name")
    rows[4]["name"] = "x" * 201
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


def test_the_templates_of_real_problems_are_listed() -> None:
    found: set[str] = set()
    for data in [*BAD_FILES, bad_rows()]:
        for wording in roster_problems(data):
            found.update(templates_in(wording))
    employees = generate_roster(4, units=1, seed=1)
    roster = Roster(employees=employees, top_appraiser_nip=UNKNOWN)
    for refused in (
        lambda: check_launch(roster, None),
        lambda: launch_roster([], NATIONAL),
        lambda: launch_roster(employees, NATIONAL),
        lambda: preset("atlantis"),
        lambda: check_policy(NATIONAL.model_copy(update={"curve": OUT_OF_ORDER})),
    ):
        with pytest.raises(DomainError) as info:
            refused()
        found.update(templates_in(info.value.wording))
    assert len(found) > 20
    assert not unlisted(found), f"templates missing from web/refusals.py: {unlisted(found)}"


def test_a_wording_is_said_in_indonesian_with_its_values_and_in_english_as_written() -> None:
    error = roster_problems(bad_rows())
    indonesian, english = translations("id").gettext, translations("en").gettext
    said = {str(w): say(w, indonesian) for w in error}
    assert all(say(w, english) == str(w) for w in error)
    unknown = next(t for e, t in said.items() if e.startswith("supervisor 199001012020011001"))
    assert UNKNOWN in unknown and "not in the roster" not in unknown
    assert all(s != e for e, s in said.items() if not e.startswith("'"))


def test_a_launch_refusal_names_its_nips_in_any_language() -> None:
    heads = generate_roster(4, units=1, seed=1)
    with pytest.raises(LaunchRefused) as info:
        check_launch(Roster(employees=heads, top_appraiser_nip=UNKNOWN), None)
    said = say(info.value.wording, translations("id").gettext)
    assert said != info.value.reason and UNKNOWN in said
    assert say(info.value.wording, translations("en").gettext) == info.value.reason


def test_a_curve_out_of_order_is_refused_in_indonesian_naming_both_ratings() -> None:
    with pytest.raises(LaunchRefused) as info:
        check_policy(NATIONAL.model_copy(update={"curve": OUT_OF_ORDER}))
    said = say(info.value.wording, translations("id").gettext)
    assert said != info.value.reason and "unit rated" not in said
    assert "Baik" in said and "Istimewa" in said and "Kurang" in said and "70%" in said
    assert say(info.value.wording, translations("en").gettext) == info.value.reason


WORKFLOWS = DOMAIN.parent / "workflows"
# Answered as "not found", whatever their sentence: never shown, so never translated.
SHOWN_AS_NOT_FOUND = frozenset({"UNKNOWN_TASK", "NOT_ASSIGNEE"})


def test_every_refusal_a_workflow_writes_is_listed_and_none_is_an_f_string() -> None:
    written: set[str] = set()
    built: list[str] = []
    for path in sorted(WORKFLOWS.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if not (isinstance(node, ast.Call) and _callee(node) == "reject"):
                continue
            kind, message = node.args[0], node.args[1]
            if isinstance(kind, ast.Name) and kind.id in SHOWN_AS_NOT_FOUND:
                continue
            if isinstance(message, ast.Call) and _callee(message) == "Wording":
                message = message.args[0]
            if isinstance(message, ast.Constant) and isinstance(message.value, str):
                written.add(message.value)
            elif isinstance(message, ast.JoinedStr | ast.BinOp):
                built.append(f"{path.name}:{message.lineno}")
    assert len(written) > 20, "the scan found too few refusals: has the code moved?"
    assert not built, f"refusals built with an f-string or +, not a Wording: {built}"
    assert not unlisted(written), f"refusals missing from web/refusals.py: {unlisted(written)}"


def test_a_workflows_refusal_with_values_is_said_in_indonesian() -> None:
    from temporalio.exceptions import ApplicationError

    from appraisal_engine.domain.records import TaskStatus
    from appraisal_engine.services.workflow_calls import rejection
    from appraisal_engine.workflows.errors import TASK_CLOSED, reject

    closed = Wording("this task is already %(status)s", {"status": Wording.fixed("done")})
    error = rejection(reject(TASK_CLOSED, closed))
    assert isinstance(reject(TASK_CLOSED, closed), ApplicationError)
    assert error.detail == f"this task is already {TaskStatus.DONE.value}"  # the API's English
    assert error.wording == closed
    indonesian = say(closed, translations("id").gettext)
    assert "this task" not in indonesian and "done" not in indonesian
    assert say(closed, translations("en").gettext) == error.detail
