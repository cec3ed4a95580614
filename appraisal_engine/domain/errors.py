"""The one error type the domain raises for bad input, and the wording its messages are made of."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeAlias

from appraisal_engine.domain.catalogs import N_

if TYPE_CHECKING:
    from pydantic_core import ErrorDetails


@dataclass(frozen=True)
class Wording:
    """A sentence as a `%(name)s` template and the values filled into it. The English text is
    `str(wording)`; a reader in another language looks the template up in a catalog and fills
    in the same values (a value that is itself a Wording is read the same way), which a
    sentence built with an f-string would not allow."""

    template: str
    values: Mapping[str, Filler] = field(default_factory=dict)

    @classmethod
    def fixed(cls, text: str) -> Wording:
        """A sentence with no values (a `%` in it kept as written)."""
        return cls(text.replace("%", "%%"))

    @classmethod
    def join(cls, separator: str, parts: Sequence[Wording]) -> Wording:
        """The parts one after another with `separator` between them (a template of no words:
        nothing to translate, each part read as itself). Split in halves, so a long list nests
        only as deep as its logarithm."""
        if len(parts) <= 1:
            return parts[0] if parts else cls("")
        half = len(parts) // 2
        return cls(
            "%(a)s" + separator.replace("%", "%%") + "%(b)s",
            {"a": cls.join(separator, parts[:half]), "b": cls.join(separator, parts[half:])},
        )

    def data(self) -> dict[str, Any]:
        """The wording as plain data (to travel in a workflow's refusal), nested as it is."""
        return {
            "template": self.template,
            "values": {
                k: v.data() if isinstance(v, Wording) else v for k, v in self.values.items()
            },
        }

    @classmethod
    def of_data(cls, data: Mapping[str, Any]) -> Wording:
        """The wording `data()` gave."""
        values = data.get("values") or {}
        return cls(
            str(data["template"]),
            {k: cls.of_data(v) if isinstance(v, Mapping) else v for k, v in values.items()},
        )

    def __str__(self) -> str:
        filled: dict[str, Any] = {
            k: str(v) if isinstance(v, Wording) else v for k, v in self.values.items()
        }
        return self.template % filled


Filler: TypeAlias = str | int | Wording
"""What a Wording's placeholder takes."""


def say(wording: Wording, _: Callable[[str], str]) -> str:
    """A domain sentence in a reader's language, `_` being their catalog's gettext: its template
    looked up in the catalog (a template not there reads as itself, in English) with its values
    filled in, a value that is a sentence itself said the same way. A translation that cannot be
    filled in (a placeholder lost) gives the English sentence rather than an error. The web app's
    pages and the command line both say a refusal through this."""
    filled = {k: say(v, _) if isinstance(v, Wording) else v for k, v in wording.values.items()}
    try:
        text: str = _(wording.template) % filled
    except (KeyError, ValueError, TypeError):
        text = wording.template % filled
    return text


class DomainError(ValueError):
    """Input that breaks a rule; the message names the field and what is wrong. With `values`,
    `message` is a Wording's template (`%(name)s` placeholders) and `reason` its English text."""

    def __init__(
        self, message: str, *, field: str | None = None, values: Mapping[str, Filler] | None = None
    ) -> None:
        self.wording = Wording.fixed(message) if values is None else Wording(message, values)
        reason = str(self.wording)
        super().__init__(f"{field}: {reason}" if field else reason)
        self.field = field
        self.reason = reason


class SettingError(ValueError):
    """A setting that cannot work (a secret too short, an http:// address): `wording` names the
    setting and what to do, for the command line to say in its reader's language; str() is
    the English sentence, for logs."""

    def __init__(self, template: str, **values: Filler) -> None:
        self.wording = Wording(template, values) if values else Wording.fixed(template)
        super().__init__(str(self.wording))


VALIDATION: Mapping[str, str] = {
    "missing": N_("Required."),
    "extra_forbidden": N_("Not a known field: remove it, or check its spelling."),
    "string_type": N_("Must be text."),
    "string_too_short": N_("Must have at least %(min_length)s characters."),
    "string_too_long": N_("Must have at most %(max_length)s characters."),
    "too_short": N_("Needs at least %(min_length)s."),
    "too_long": N_("At most %(max_length)s."),
    "float_parsing": N_("Must be a number."),
    "int_parsing": N_("Must be a whole number."),
    "bool_parsing": N_("Must be true or false."),
    "greater_than": N_("Must be more than %(gt)s."),
    "greater_than_equal": N_("Must be at least %(ge)s."),
    "less_than_equal": N_("Must be at most %(le)s."),
    "string_pattern_mismatch": N_("Letters, digits, dots, dashes and underscores only."),
    "url_parsing": N_("Must be a web address (https://...)."),
    "url_scheme": N_("Must be a web address (https://...)."),
    "enum": N_("Pick one of the choices."),
    "literal_error": N_("Pick one of the choices."),
    "date_parsing": N_("Must be a date."),
    "date_from_datetime_parsing": N_("Must be a date."),
}
"""Pydantic's errors by type, as a person reads them: the web app's forms and the command line
say a value refused by its type so. A type not here reads in pydantic's own (English) words."""


def validation_wording(error: ErrorDetails) -> Wording:
    """One of pydantic's errors as a sentence: a domain rule refused inside it as its own
    sentence, another validator's refusal as its own words (without pydantic's "Value error, "),
    else its type's words with the error's values (a bound, a length), else pydantic's
    message."""
    context = error.get("ctx") or {}
    cause = context.get("error")
    if isinstance(cause, DomainError):
        return cause.wording
    if isinstance(cause, ValueError) and str(cause):
        return Wording.fixed(str(cause))
    template = VALIDATION.get(error["type"])
    if template is None:
        return Wording.fixed(error["msg"])
    return Wording(template, {k: str(v) for k, v in context.items()})
