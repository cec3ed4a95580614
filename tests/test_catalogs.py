"""The Bahasa Indonesia catalog keeps up with the code: every message the web app can show (as
`pybabel extract` finds it, with web/babel.cfg's mapping) has a translation, each translation
keeps its msgid's %(name)s placeholders, and no message the code no longer has lingers.

When one fails, refresh the catalog from appraisal_engine/ and translate what is new:
  ../.venv/bin/pybabel extract --no-location -F web/babel.cfg -k _ -k N_ -o /tmp/messages.pot .
  ../.venv/bin/pybabel update -i /tmp/messages.pot -d web/locale -l id \
      --no-fuzzy-matching --ignore-obsolete
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_keywords, parse_mapping_cfg
from babel.messages.pofile import read_po

from appraisal_engine.web.i18n import translations

PACKAGE = Path(__file__).resolve().parents[2] / "appraisal_engine"
MAPPING = PACKAGE / "web" / "babel.cfg"
PO = PACKAGE / "web" / "locale" / "id" / "LC_MESSAGES" / "messages.po"
# As `-k _ -k N_` does on the command line: Babel's default keywords, and these.
KEYWORDS = {**DEFAULT_KEYWORDS, **parse_keywords(["_", "N_"])}
PLACEHOLDER = re.compile(r"%\((\w+)\)")


@cache
def extracted() -> dict[str, list[str]]:
    """Each msgid in the code, with where it is used (paths relative to the package)."""
    with MAPPING.open() as f:
        # Babel's own reader of the file pybabel reads (it has no type hints).
        method_map, options_map = parse_mapping_cfg(f, str(MAPPING))  # type: ignore[no-untyped-call]
    found: dict[str, list[str]] = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
        PACKAGE, method_map, options_map, keywords=KEYWORDS
    ):
        msgid = singular(message)
        if msgid:
            found.setdefault(msgid, []).append(f"{filename}:{lineno}")
    return found


@cache
def catalog() -> Catalog:
    """The Indonesian catalog as the app reads it."""
    with PO.open("rb") as f:
        return read_po(f, locale="id")


def singular(msgid: object) -> str:
    """A msgid as written; a plural message's is its singular form."""
    if isinstance(msgid, (list, tuple)):
        return str(msgid[0] or "") if msgid else ""
    return str(msgid or "")


def strings(message: object) -> list[str]:
    """A message's translation(s): one, or one per plural form."""
    if isinstance(message, (list, tuple)):
        return [str(s or "") for s in message]
    return [str(message or "")]


def report(*groups: tuple[str, list[str]], where: dict[str, list[str]] | None = None) -> str:
    """The offending msgids under each heading, one per line, with where the code uses them."""
    lines = []
    for heading, msgids in groups:
        if not msgids:
            continue
        lines.append(f"{heading}:")
        for msgid in sorted(msgids):
            at = f"  ({', '.join(where[msgid])})" if where and msgid in where else ""
            lines.append(f"  {msgid!r}{at}")
    return "\n".join(lines)


def test_the_code_has_messages_to_translate() -> None:
    found = extracted()
    assert "My tasks" in found and "Sign in" in found, "the extraction found no web messages"
    assert "only the assignee completes a task" in found, "web/refusals.py was not extracted"


def test_every_message_in_the_code_has_an_indonesian_translation() -> None:
    found = extracted()
    po = catalog()
    missing, untranslated, fuzzy = [], [], []
    for msgid in found:
        message = po.get(msgid)
        if message is None:
            missing.append(msgid)
        elif not all(s.strip() for s in strings(message.string)):
            untranslated.append(msgid)
        elif message.fuzzy:
            fuzzy.append(msgid)
    assert not (missing or untranslated or fuzzy), report(
        (f"msgids not in {PO.name} (run the update)", missing),
        ("msgids with an empty msgstr", untranslated),
        ("msgids marked fuzzy (check, then drop the flag)", fuzzy),
        where=found,
    )


def test_every_translation_keeps_its_placeholders() -> None:
    differ, broken = [], []
    for message in catalog():
        if not message.id:
            continue  # the header
        msgid = singular(message.id)
        expected = set(PLACEHOLDER.findall(msgid))
        for text in strings(message.string):
            if not text:
                continue  # reported by the test above
            if set(PLACEHOLDER.findall(text)) != expected:
                differ.append(msgid)
            elif expected:
                try:
                    text % dict.fromkeys(expected, "x")  # as render.gettext_for fills it in
                except (KeyError, ValueError, TypeError):
                    broken.append(msgid)
    assert not (differ or broken), report(
        ("translations whose %(name)s placeholders differ from the msgid's", differ),
        ("translations that cannot be filled in (a stray %?)", broken),
    )


def test_the_catalog_holds_no_message_the_code_no_longer_has() -> None:
    found = extracted()
    po = catalog()
    stale = [singular(m.id) for m in po if m.id and singular(m.id) not in found]
    obsolete = [singular(m.id) for m in po.obsolete.values()]
    assert not (stale or obsolete), report(
        ("msgids no longer in the code (delete them)", stale),
        ("obsolete (#~) entries (update with --ignore-obsolete)", obsolete),
    )


def test_the_app_reads_the_catalog() -> None:
    id_ = translations("id")
    assert id_.gettext("My tasks") == "Tugas saya"
    assert id_.gettext("Sign in") == "Masuk"
    assert id_.gettext("Sign out") == "Keluar"
