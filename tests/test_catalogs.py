"""The Bahasa Indonesia catalogs keep up with the code: every message the web app, the notices
or the command line can show (as `pybabel extract` finds it, with that part's babel.cfg) has a
translation in its catalog, each translation keeps its msgid's %(name)s placeholders, and no
message the code no longer has lingers.

When one fails, refresh that catalog from appraisal_engine/ and translate what is new (web/ here;
notices/ and appraisal/, the command line's, likewise):
  ../.venv/bin/pybabel extract --no-location -F web/babel.cfg -k _ -k N_ -o /tmp/messages.pot .
  ../.venv/bin/pybabel update -i /tmp/messages.pot -d web/locale -l id \
      --no-fuzzy-matching --ignore-obsolete
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_keywords, parse_mapping_cfg
from babel.messages.pofile import read_po

from appraisal_engine.appraisal import i18n as cli
from appraisal_engine.domain.catalogs import catalog as catalog_of
from appraisal_engine.notices import render as notices
from appraisal_engine.web.i18n import translations

PACKAGE = Path(__file__).resolve().parents[1] / "appraisal_engine"
# Each part with a catalog of its own: the folder holding its babel.cfg and locale/.
PARTS = ["web", "notices", "appraisal"]
# As `-k _ -k N_` does on the command line: Babel's default keywords, and these.
KEYWORDS = {**DEFAULT_KEYWORDS, **parse_keywords(["_", "N_"])}
PLACEHOLDER = re.compile(r"%\((\w+)\)")


def po_file(part: str) -> Path:
    """The part's Indonesian catalog."""
    return PACKAGE / part / "locale" / "id" / "LC_MESSAGES" / "messages.po"


@cache
def extracted(part: str) -> dict[str, list[str]]:
    """Each msgid in the part's code, with where it is used (paths relative to the package)."""
    mapping = PACKAGE / part / "babel.cfg"
    with mapping.open() as f:
        # Babel's own reader of the file pybabel reads (it has no type hints).
        method_map, options_map = parse_mapping_cfg(f, str(mapping))  # type: ignore[no-untyped-call]
    found: dict[str, list[str]] = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
        PACKAGE, method_map, options_map, keywords=KEYWORDS
    ):
        msgid = singular(message)
        if msgid:
            found.setdefault(msgid, []).append(f"{filename}:{lineno}")
    return found


@cache
def catalog(part: str) -> Catalog:
    """The part's Indonesian catalog as the part reads it."""
    with po_file(part).open("rb") as f:
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
    found = extracted("web")
    assert "My tasks" in found and "Sign in" in found, "the extraction found no web messages"
    assert "only the assignee completes a task" in found, "web/refusals.py was not extracted"
    assert "Reminder: %(task)s" in extracted("notices"), "the extraction found no notices"
    cli = extracted("appraisal")
    assert "give --policy or --policy-file, not both" in cli, "no command line messages found"
    assert "invalid input: %(fields)s" in cli, "appraisal/cli_errors.py was not extracted"
    assert "Show the traceback when a command fails" in cli, "the commands' help was not extracted"
    assert "The appraisal year" in cli, "the help of the commands under a group was not extracted"
    assert "Staff member" in found and "Staff member" not in cli, "the demo's people's names"


@pytest.mark.parametrize("part", PARTS)
def test_every_message_in_the_code_has_an_indonesian_translation(part: str) -> None:
    found = extracted(part)
    po = catalog(part)
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
        (f"msgids not in {part}'s {po_file(part).name} (run the update)", missing),
        ("msgids with an empty msgstr", untranslated),
        ("msgids marked fuzzy (check, then drop the flag)", fuzzy),
        where=found,
    )


@pytest.mark.parametrize("part", PARTS)
def test_every_translation_keeps_its_placeholders(part: str) -> None:
    differ, broken = [], []
    for message in catalog(part):
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


@pytest.mark.parametrize("part", PARTS)
def test_the_catalog_holds_no_message_the_code_no_longer_has(part: str) -> None:
    found = extracted(part)
    po = catalog(part)
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
    assert notices.translations("id").gettext("Peer survey") == "Survei rekan kerja"
    said = "isi --policy atau --policy-file, jangan keduanya"
    assert (
        catalog_of(cli.LOCALE_DIR, "id").gettext("give --policy or --policy-file, not both") == said
    )


def test_english_is_the_msgids_themselves() -> None:
    for read in (translations, notices.translations):
        assert read("en").gettext("Sign in") == "Sign in"
    assert catalog_of(cli.LOCALE_DIR, "en").gettext("try:") == "try:"
