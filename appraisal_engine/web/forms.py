"""Forms to models and back: fields are named by their path in the body (`plan.targets[0].iki`,
`review.target_ratings.T1`, `report.realisations[0].evidence[]` for one item per line), so one
parser serves every task's form and a refusal's errors land beside the fields they name."""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from pydantic import ValidationError
from starlette.requests import Request

from appraisal_engine.domain.errors import say, validation_wording
from appraisal_engine.services.errors import Issue, ServiceError
from appraisal_engine.web.security import TOKEN_FIELD

_PART = re.compile(r"([^.\[\]]+)|\[(\d*)\]")
Gettext = Callable[..., str]


def parse_name(name: str) -> list[str | int | None]:
    """`a.b[2].c[]` -> ["a", "b", 2, "c", None]: None is "one item per line"."""
    parts: list[str | int | None] = []
    for key, index in _PART.findall(name):
        if key:
            parts.append(key)
        else:
            parts.append(int(index) if index else None)
    return parts


def nest(fields: Iterable[tuple[str, str]]) -> dict[str, Any]:
    """The form's fields as the body's nested shape. List items whose every field is empty are
    dropped (blank rows of a form), so are empty optional values."""
    root: dict[str, Any] = {}
    for name, raw in fields:
        parts = parse_name(name)
        if not parts or not isinstance(parts[0], str):
            continue
        value: Any = raw.strip()
        if parts[-1] is None:
            parts = parts[:-1]
            value = [line.strip() for line in raw.splitlines() if line.strip()]
        node: Any = root
        for here, after in itertools.pairwise(parts):
            empty: Any = {} if isinstance(after, str) else []
            node = _child(node, here, empty)
        _put(node, parts[-1], value)
    pruned: dict[str, Any] = _prune(root)
    return pruned


def _child(node: Any, key: str | int | None, empty: Any) -> Any:
    if isinstance(node, list):
        assert isinstance(key, int)
        while len(node) <= key:
            node.append(None)
        if node[key] is None:
            node[key] = empty
        return node[key]
    return node.setdefault(key, empty)


def _put(node: Any, key: str | int | None, value: Any) -> None:
    if isinstance(node, list):
        assert isinstance(key, int)
        while len(node) <= key:
            node.append(None)
        node[key] = value
    else:
        node[key] = value


def _prune(value: Any) -> Any:
    """Drop empty strings, empty lists, and list items left with nothing."""
    if isinstance(value, dict):
        kept = {k: _prune(v) for k, v in value.items()}
        return {k: v for k, v in kept.items() if v not in ("", None, [], {})}
    if isinstance(value, list):
        items = [_prune(v) for v in value if v is not None]
        return [v for v in items if v not in ("", None, [], {})]
    return value


async def posted(request: Request) -> tuple[dict[str, str], dict[str, Any]]:
    """The form as typed (to show it again) and in the body's nested shape."""
    form = await request.form()
    fields = [(k, v) for k, v in form.multi_items() if isinstance(v, str) and k != TOKEN_FIELD]
    return dict(fields), nest(fields)


def field_name(loc: Iterable[str | int]) -> str:
    """A pydantic error's location as the form field's name."""
    name = ""
    for part in loc:
        if isinstance(part, int):
            name += f"[{part}]"
        else:
            name += f".{part}" if name else str(part)
    return name


def field_errors(
    error: ValidationError,
    _: Gettext,
    fields: Iterable[str] | None = None,
    *,
    rows: Mapping[str, Sequence[int]] | None = None,
) -> dict[str, str]:
    """Each field's first error, in the person's language, keyed by the form field's name: the
    nearest of `fields` that holds the value in error (an item of a one-per-line list is its
    list's field), else the value's own path. `rows` maps a list validated without the form's
    untouched rows back to the form's numbering: item k of `list` is row `rows[list][k]`."""
    names = set(fields) if fields is not None else None
    found: dict[str, str] = {}
    for item in error.errors(include_url=False):
        loc = list(item["loc"])
        if rows and len(loc) > 1 and isinstance(loc[1], int) and loc[0] in rows:
            loc[1] = rows[str(loc[0])][loc[1]]
        name = _nearest(loc, names)
        # A domain rule in a field's type (an NIP) is its own sentence, without pydantic's prefix.
        found.setdefault(name, say(validation_wording(item), _))
    return found


def _nearest(loc: list[str | int], names: set[str] | None) -> str:
    if names is not None:
        for end in range(len(loc), 0, -1):
            name = field_name(loc[:end])
            if name in names:
                return name
            if f"{name}[]" in names:
                return f"{name}[]"
    # A field left out of the post altogether (an unticked choice): its own name.
    return field_name(loc)


def issue_text(issue: Issue, _: Gettext) -> str:
    """An issue's sentence in the person's language: by its wording where the domain gave one,
    else its fixed English sentence through the catalog (marked in web/refusals.py)."""
    return say(issue.wording, _) if issue.wording is not None else _(issue.message)


def detail_text(error: ServiceError, _: Gettext) -> str:
    """A refusal's own sentence in the person's language (see `issue_text`)."""
    return say(error.wording, _) if error.wording is not None else _(error.detail)


def service_errors(
    error: ServiceError, _: Gettext, fields: Iterable[str] = (), *, within: str = ""
) -> dict[str, str]:
    """A service's refusal, by field ("" for the form as a whole). A workflow names a field
    inside the body's part (`achievements` of the report): `within` is that part's name in
    the form (`report`), so the error lands beside the posted field."""
    names = set(fields)
    found: dict[str, str] = {}
    for issue in error.issues:
        name = issue.field
        if within and name:
            inner = f"{within}.{name}"
            name = next((n for n in (inner, f"{inner}[]", name) if n in names), inner)
        found.setdefault(name, issue_text(issue, _))
    if not found:
        found[""] = detail_text(error, _)
    return found
