"""The command line's help pages in the chosen language.

Typer builds the command tree from the commands' docstrings and `help=` texts, in English, each
time the command line starts. When the arguments will print a page (they hold `--help`, or end at
a group without naming its command), the root group words that tree before they are parsed
(typer prints a page while it parses) with the catalog of the language `--lang` asks for, or the
DEFAULT_LOCALE setting's: every command's and option's help, the help option's own line and
typer's words around them (the panels' titles, `[default: ...]`, `[required]`, the hint under a
refusal). A refusal's own message is said by cli_errors.said_usage.

The texts reach the catalog through `extract`, the extraction method appraisal/babel.cfg names for
cli.py: it reads them from the tree typer builds, so the catalog holds exactly what a help page
shows, and tests/test_catalogs.py finds any text that is not translated."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Collection, Iterator, Mapping
from typing import IO, Any

import typer
from typer.core import TyperArgument, TyperCommand, TyperGroup, TyperOption

from appraisal_engine.domain.catalogs import N_

Command = TyperCommand | TyperGroup

# The help option's line, which typer words in English whatever the language.
HELP_OPTION = N_("Show this message and exit.")

# Typer's words around the help texts and a refusal's message, by the name of the module constant
# it reads them from.
FRAME: Mapping[str, str] = {
    "ARGUMENTS_PANEL_TITLE": N_("Arguments"),
    "OPTIONS_PANEL_TITLE": N_("Options"),
    "COMMANDS_PANEL_TITLE": N_("Commands"),
    "DEFAULT_STRING": N_("[default: {}]"),
    "REQUIRED_LONG_STRING": N_("[required]"),
    "ERRORS_PANEL_TITLE": N_("Error"),
    "RICH_HELP": N_("Try [blue]'{command_path} {help_option}'[/] for help."),
    "ABORTED_TEXT": N_("Aborted."),
}


def tree(root: Command) -> Iterator[Command]:
    """`root` and every command and group under it."""
    yield root
    if isinstance(root, TyperGroup):
        context = typer.Context(root)
        for name in root.list_commands(context):
            command = root.get_command(context, name)
            if isinstance(command, (TyperCommand, TyperGroup)):
                yield from tree(command)


def flowed(text: str) -> str:
    """A help text as a page shows it: a docstring's indent gone, and each paragraph one line
    (the page wraps it to the terminal; the line breaks of a docstring would show as they are)."""
    paragraphs = inspect.cleandoc(text).split("\n\n")
    return "\n\n".join(" ".join(paragraph.split()) for paragraph in paragraphs)


def _holders(command: Command) -> Iterator[Any]:
    """What holds one command's help texts: the command (its help and short help) and each of
    its parameters that has help."""
    yield command
    yield from (p for p in command.params if isinstance(p, (TyperOption, TyperArgument)))


_HELP_ATTRIBUTES = ("help", "short_help")


def own(command: Command) -> Iterator[str]:
    """The help texts of one command as its page shows them, in English: its help and short
    help, and each of its parameters'."""
    for holder in _holders(command):
        for name in _HELP_ATTRIBUTES:
            if text := getattr(holder, name, None):
                yield flowed(text)


def texts(root: Command) -> Iterator[str]:
    """Every help text under `root`, in English."""
    for command in tree(root):
        yield from own(command)


def localize(root: Command, words: Callable[[str], str]) -> None:
    """Word the help of `root` and of everything under it with `words` (a catalog's gettext),
    in place, and typer's frame, which every tree shares. A tree is worded once, from the
    English typer built it in: each run of the command line builds its own."""
    for command in tree(root):
        for holder in _holders(command):
            for name in _HELP_ATTRIBUTES:
                if text := getattr(holder, name, None):
                    setattr(holder, name, words(flowed(text)))
        # Typer makes the help option on first use and keeps it; made here, it is worded too.
        option = command.get_help_option(typer.Context(command))
        if option is not None:
            option.help = words(HELP_OPTION)
    frame(words)


def frame(words: Callable[[str], str]) -> None:
    """Word typer's frame around a page or a refusal. Its module brings rich, which a command
    that prints neither has no use for, so it is worded only when one is about to print."""
    from typer import rich_utils

    for name, english in FRAME.items():
        setattr(rich_utils, name, words(english))


def extract(
    fileobj: IO[bytes],
    keywords: Collection[str],
    comment_tags: Collection[str],
    options: Mapping[str, Any],
) -> Iterator[tuple[int, str | None, str | tuple[str, ...], list[str]]]:
    """Babel's extraction method for cli.py: the messages of the file itself, as the python
    method finds them, then every help text of the command tree rooted there. Each is babel's
    (line, keyword, message, comments), the keyword None for a help text."""
    from babel.messages.extract import extract_python

    from appraisal_engine.appraisal.cli import app

    # Babel passes a method the keywords' names, while its type hints say extract_python takes
    # a mapping (it reads only the names) and yields what `extract` yields, (line, message,
    # comments, context); extract_python yields (line, keyword, message, comments), as here.
    found = extract_python(fileobj, keywords, comment_tags, dict(options))  # type: ignore[arg-type]
    yield from found  # type: ignore[misc]
    root = typer.main.get_command(app)
    assert isinstance(root, TyperGroup)
    for text in dict.fromkeys(texts(root)):
        yield 1, None, text, []
