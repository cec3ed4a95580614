"""What the services refuse with: each error's `detail` is the sentence the caller is shown."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from appraisal_engine.domain.errors import Wording


@dataclass(frozen=True)
class Issue:
    """One problem with one field of the input ("" for the input as a whole); for a roster
    file, also its row. `message` is the English sentence programs are answered with; `wording`,
    where the domain gave one, is the same sentence as a template and values, for a page to
    say in the reader's language."""

    field: str
    message: str
    row: int | None = None
    wording: Wording | None = None


class ServiceError(Exception):
    """A refusal. `code` names its kind for programs; `issues` lists what is wrong with which
    field, the fields being `within` that part of the caller's input (None: a file's own
    columns, named as they are); `wording`, where the domain gave one, is `detail` as a
    template and values (see Issue)."""

    def __init__(
        self,
        detail: str,
        *,
        code: str | None = None,
        issues: Sequence[Issue] = (),
        within: str | None = "body",
        wording: Wording | None = None,
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        self.code = code
        self.issues = list(issues)
        self.within = within
        self.wording = wording


class NotFound(ServiceError):
    """Unknown, or not the caller's to see: both are answered alike."""

    def __init__(self, what: str, *, code: str | None = None) -> None:
        super().__init__(f"no such {what}", code=code)


class Forbidden(ServiceError):
    """The caller may see the thing but not do this to it."""


class Conflict(ServiceError):
    """Not now: wrong stage, already done, superseded, closed; or a curve's `violations`."""

    def __init__(
        self,
        detail: str,
        *,
        code: str | None = None,
        issues: Sequence[Issue] = (),
        violations: list[dict[str, Any]] | None = None,
        wording: Wording | None = None,
    ) -> None:
        super().__init__(detail, code=code, issues=issues, wording=wording)
        self.violations = violations


class Invalid(ServiceError):
    """The input is wrong; `issues` say where."""


class Unavailable(ServiceError):
    """A dependency could not answer just now."""
