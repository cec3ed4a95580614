"""The command line's language: every line it prints for a person goes through `_`, looked up in
the catalog under locale/ (English msgids; Bahasa Indonesia in locale/id). The language is the
global `--lang` option's, else the DEFAULT_LOCALE setting's (Bahasa Indonesia unless set). The
help pages and the parse's refusals speak it too: `asked` reads `--lang` ahead of the parse,
cli_help words the commands' help before any page is printed, and cli_errors.said_usage words a
refused command line. JSON output and shell lines (`export ...`, `curl ...`) are never
translated."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Literal

import pydantic

from appraisal_engine.domain.catalogs import N_, catalog
from appraisal_engine.domain.errors import DomainError, Wording
from appraisal_engine.web.config import LOCALES, Locale

__all__ = [
    "LOCALES",
    "N_",
    "Locale",
    "_",
    "asked",
    "choose",
    "chosen",
    "label",
    "said",
    "said_error",
    "said_invalid",
]

LOCALE_DIR = Path(__file__).parent / "locale"

_locale: Locale | None = None


def choose(locale: Locale | None) -> None:
    """Speak `locale` from now on; None: the DEFAULT_LOCALE setting's."""
    global _locale
    _locale = locale


def chosen() -> Locale:
    """The language lines are printed in: the one chosen, else the setting's."""
    if _locale is not None:
        return _locale
    from appraisal_engine.appraisal.settings import LocaleSetting, get_settings

    try:
        return get_settings().default_locale
    except ValueError:  # another setting that does not validate: said in DEFAULT_LOCALE's
        try:
            return LocaleSetting().default_locale
        except ValueError:  # nor does DEFAULT_LOCALE: in the default
            return "id"


def asked(args: Sequence[str]) -> Locale | None:
    """The language the global `--lang` asks for in a command line's arguments, read ahead of the
    parse (which refuses a language not spoken here); None when it asks for none. Only the
    options before the command are the global ones, and the last `--lang` among them wins, as
    in the parse. Every global option but `--lang` is a flag: a word after one is the command."""
    found: str | None = None
    at = 0
    while at < len(args):
        arg = args[at]
        if arg == "--lang":
            found = args[at + 1] if at + 1 < len(args) else ""
            at += 1
        elif arg.startswith("--lang="):
            found = arg.removeprefix("--lang=")
        elif not arg.startswith("-") or arg == "--":
            break
        at += 1
    return next((locale for locale in LOCALES if locale == found), None)


def _(message: str, /, **values: object) -> str:
    """The message in the chosen language, with its %(name)s placeholders filled in."""
    text = catalog(LOCALE_DIR, chosen()).gettext(message)
    return text % values if values else text


def said(wording: Wording) -> str:
    """A domain sentence in the chosen language, as the web app's catalog words it (the
    domain's refusals are translated there); one it does not hold reads in English."""
    from appraisal_engine.domain.errors import say
    from appraisal_engine.web.i18n import translations

    return say(wording, translations(chosen()).gettext)


def said_invalid(error: pydantic.ValidationError) -> str:
    """A value's first validation error in the chosen language, in the words the web app's forms
    use too (by the error's type: "must be a whole number")."""
    from appraisal_engine.domain.errors import validation_wording

    errors = error.errors()
    return said(validation_wording(errors[0])) if errors else str(error)


def said_error(error: DomainError) -> str:
    """A domain error in the chosen language, after the field it names."""
    text = said(error.wording)
    return f"{error.field}: {text}" if error.field else text


Named = Literal["kind", "stage", "grade", "outcome", "award"]


def label(of: Named, code: str) -> str:
    """A task kind's, stage's, grade's, outcome's or award's name as the pages call it, in the
    chosen language; a code the pages do not name is shown as it is."""
    from appraisal_engine.web import labels
    from appraisal_engine.web.i18n import translations

    names = {
        "kind": labels.KINDS,
        "stage": labels.STAGES,
        "grade": labels.GRADES,
        "outcome": labels.OUTCOMES,
        "award": labels.AWARDS,
    }[of]
    named = names.get(code)
    return code if named is None else translations(chosen()).gettext(named)
