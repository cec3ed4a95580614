"""Message catalogs: a package's `locale/<locale>/LC_MESSAGES/messages.po`, compiled in memory
when first read. Msgids are English, so English (or any locale without a catalog) is the msgids
themselves. The web app, the notices and the command line each keep their own catalog and read
it through `catalog`."""

from __future__ import annotations

import io
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from babel.support import NullTranslations


def N_(message: str) -> str:
    """Mark a message for the catalog of the package it is in (`pybabel extract -k N_`); it is
    translated where it is shown."""
    return message


@cache
def catalog(locale_dir: Path, locale: str) -> NullTranslations:
    """The translations for `locale` from the catalog under `locale_dir`; none (the English
    msgids) when that locale has no catalog there."""
    # Babel is imported here, not above: the domain's messages are marked with `N_` from this
    # module, and the workflows that read them have no use for a catalog.
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po
    from babel.support import NullTranslations, Translations

    po = locale_dir / locale / "LC_MESSAGES" / "messages.po"
    if not po.exists():
        return NullTranslations()
    with po.open("rb") as f:
        messages = read_po(f, locale=locale)
    buffer = io.BytesIO()
    write_mo(buffer, messages)
    buffer.seek(0)
    return Translations(buffer)
