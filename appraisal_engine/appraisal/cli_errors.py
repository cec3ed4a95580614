"""The command line's root group: it words the help pages in the chosen language, and reports a
failed command in one line on stderr with exit code 1, the traceback only with --debug."""

from __future__ import annotations

import re
import traceback
from collections.abc import Callable
from typing import Any, NoReturn

import pydantic
import typer
from typer._click.exceptions import (  # typer's own click
    NoArgsIsHelpError,
    NoSuchOption,
    UsageError,
)
from typer.core import TyperGroup

from appraisal_engine.appraisal.cli_help import frame, localize
from appraisal_engine.appraisal.i18n import (
    LOCALE_DIR,
    N_,
    _,
    asked,
    choose,
    chosen,
    said,
    said_error,
    said_invalid,
)
from appraisal_engine.domain.catalogs import catalog
from appraisal_engine.domain.errors import DomainError, SettingError, validation_wording

# Refusals and conditions a user can act on: the message says it all, a traceback adds nothing.
# Temporal's errors include application errors raised by the workflows (a wrong stage, an invalid
# payload), a workflow or schedule that does not exist or has closed, and RPC failures.
EXPECTED: tuple[type[BaseException], ...] = (DomainError, OSError, pydantic.ValidationError)


def _expected() -> tuple[type[BaseException], ...]:
    from temporalio.exceptions import TemporalError

    from appraisal_engine.appraisal.servers import MissingBinary
    from appraisal_engine.client.codec import PayloadKeyError
    from appraisal_engine.client.connect import Unreachable

    return (*EXPECTED, TemporalError, Unreachable, MissingBinary, PayloadKeyError)


def describe(error: BaseException) -> str:
    """One line that says what went wrong."""
    from temporalio.exceptions import ApplicationError

    from appraisal_engine.client.failures import innermost

    if isinstance(error, pydantic.ValidationError):
        fields = (
            f"{'.'.join(map(str, e['loc'])) or '-'}: {said(validation_wording(e))}"
            for e in error.errors()
        )
        text = _("invalid input: %(fields)s", fields="; ".join(fields))
    else:
        root = innermost(error)
        if isinstance(root, DomainError):
            text = said_error(root)
        elif isinstance(root, OSError) and root.filename is not None:
            text = _file_problem(root)
        elif (table := _missing_table(root)) is not None:
            text = _(
                "the database has no table %(table)s yet: run `appraisal migrate` first",
                table=table,
            )
        elif isinstance(root, ApplicationError):
            text = f"{root.type}: {root.message}" if root.type else root.message
        else:
            text = str(root) or type(root).__name__
        if not isinstance(error, _expected()) and _missing_table(root) is None:
            text = _(
                "%(error)s: %(message)s (--debug shows the traceback)",
                error=type(error).__name__,
                message=text,
            )
    return " ".join(text.split())


def _file_problem(error: OSError) -> str:
    """A file that cannot be read or written, named, in the chosen language."""
    path = str(error.filename)
    if isinstance(error, FileNotFoundError):
        return _("no such file or folder: %(path)s", path=path)
    if isinstance(error, IsADirectoryError):
        return _("%(path)s is a folder, not a file", path=path)
    if isinstance(error, PermissionError):
        return _("no permission to open %(path)s", path=path)
    return _("%(path)s cannot be used: %(reason)s", path=path, reason=error.strerror or error)


# The database's words for a table that is not there: SQLite's and PostgreSQL's.
_NO_TABLE = re.compile(r'no such table: (\w+)|relation "(\w+)" does not exist')


def _missing_table(error: BaseException) -> str | None:
    """The table a database error says is missing (the database was never migrated), if any."""
    from sqlalchemy.exc import DBAPIError

    if not isinstance(error, DBAPIError):
        return None
    found = _NO_TABLE.search(str(error.orig))
    return None if found is None else (found.group(1) or found.group(2))


def refuse_setting(error: ValueError) -> NoReturn:
    """A setting that keeps a server from starting, said in one line on stderr in the chosen
    language; exit code 2."""
    if isinstance(error, SettingError):
        wording = error.wording
        text = _(wording.template, **dict(wording.values)) if wording.values else _(str(wording))
    elif isinstance(error, pydantic.ValidationError):  # a value of the wrong kind: each named
        text = "; ".join(
            f"{'_'.join(map(str, e['loc'])).upper()}: {said(validation_wording(e))}"
            for e in error.errors()
        )
    else:
        text = str(error)
    typer.echo(text, err=True)
    raise typer.Exit(2)


def report(error: BaseException, *, debug: bool) -> int:
    """Tell the user on stderr: the traceback with --debug, else one line; the exit code."""
    if debug:
        traceback.print_exception(error)
    else:
        typer.echo(describe(error), err=True)
    return 1


# How typer words a refused command line (an option missing, one that does not exist, a value it
# cannot take), each a msgid of this catalog whose placeholders stand for what typer put there
# (a name with its quotes, a list of them); the more particular first. A refusal that matches
# none (a command's own, already in the chosen language) is said as it is.
USAGE: tuple[str, ...] = (
    N_("Missing option %(name)s. Choose from:\n\t%(choices)s"),
    N_("Missing option %(name)s."),
    N_("Missing argument %(name)s. Choose from:\n\t%(choices)s"),
    N_("Missing argument %(name)s."),
    N_("Missing command."),
    N_("No such option: %(name)s (Possible options: %(names)s)"),
    N_("No such option: %(name)s"),
    N_("No such command %(name)s. Did you mean %(names)s?"),
    N_("No such command %(name)s."),
    N_("Got unexpected extra argument(s) (%(values)s)"),
    N_("Option %(name)s requires an argument."),
    N_("Option %(name)s requires %(count)s arguments."),
    N_("Option %(name)s does not take a value."),
    N_("Invalid value for %(name)s: %(reason)s"),
    N_("Invalid value: %(reason)s"),
    N_("%(value)s is not one of %(names)s."),
)


def _pattern(template: str) -> re.Pattern[str]:
    """A template as a pattern: each %(name)s a group that takes anything."""
    parts = re.split(r"%\((\w+)\)s", template)
    pattern = "".join(
        re.escape(part) if at % 2 == 0 else f"(?P<{part}>.+?)" for at, part in enumerate(parts)
    )
    return re.compile(pattern, re.DOTALL)


_USAGE = [(template, _pattern(template)) for template in USAGE]


# The root's own options, as an example of each: given after a command, they are refused there
# with a hint.
GLOBAL_OPTIONS = {"--lang": "--lang en", "--debug": "--debug"}


def said_usage(error: UsageError) -> str:
    """A refused command line's message in the chosen language. A value refused by its type's
    validation is said as the web app's forms say it; the rest as typer words it, translated.
    One of the root's own options given after the command says where it goes."""
    if isinstance(error, NoSuchOption) and error.option_name in GLOBAL_OPTIONS:
        command = error.ctx.command_path.split(" ", 1) if error.ctx else []
        return _(
            "%(name)s goes before the command: %(example)s",
            name=error.option_name,
            example=" ".join([*command[:1], GLOBAL_OPTIONS[error.option_name], *command[1:]]),
        )
    cause = error.__cause__
    reason = said_invalid(cause) if isinstance(cause, pydantic.ValidationError) else None
    return _said_usage(error.format_message(), reason)


def _said_usage(text: str, reason: str | None = None) -> str:
    for template, pattern in _USAGE:
        if (found := pattern.fullmatch(text)) is not None:
            values = found.groupdict()
            if "reason" in values:
                values["reason"] = _said_usage(reason or values["reason"])
            return _(template, **values)
    return text


def _words() -> Callable[[str], str]:
    return catalog(LOCALE_DIR, chosen()).gettext


def _names_no_command(root: TyperGroup, args: list[str]) -> bool:
    """Whether a command line ends at a group without naming one of its commands, so that the
    parse prints the group's page (or refuses the line for its missing command). The root's
    `--lang` takes a value; no group has another option that does."""
    command: Any = root
    words = iter(args)
    for arg in words:
        if arg == "--lang":
            next(words, None)
        elif not arg.startswith("-"):
            if not isinstance(command, TyperGroup):
                return False
            command = command.get_command(typer.Context(command), arg)
            if command is None:
                return False
    return isinstance(command, TyperGroup)


def _refusal(error: UsageError) -> UsageError:
    """A refused command line, said in the chosen language in the worded frame."""
    frame(_words())
    return UsageError(said_usage(error), error.ctx)


class ReportingGroup(TyperGroup):
    """The root command: its help and every command's under it, and the parse's refusals, are in
    the language asked for, and any command's failure is reported by `report`, in one place."""

    def make_context(
        self, info_name: str | None, args: list[str], parent: Any = None, **extra: Any
    ) -> Any:
        """Word the help pages in the language `--lang` asks for (else the setting's) before the
        arguments are parsed: a `--help` among them prints its page during the parse. A refusal
        of the root's own options is said in that language too."""
        choose(asked(args))
        if "--help" in args or _names_no_command(self, args):
            # A page: worded before the parse prints it. Otherwise the catalog (a few tens of
            # milliseconds to read) waits until a line needs it.
            localize(self, _words())
        try:
            return super().make_context(info_name, args, parent, **extra)
        except NoArgsIsHelpError:
            raise  # the help page, which is no refusal
        except UsageError as e:
            raise _refusal(e) from None

    def invoke(self, ctx: Any) -> Any:  # typer's own click.Context, which it does not export
        """Run the command; its command line refused is said in the chosen language, and a
        failure other than typer's own becomes a report and exit code 1."""
        try:
            return super().invoke(ctx)
        except NoArgsIsHelpError:
            raise
        except UsageError as e:  # a command's own command line refused: said as the root's is
            raise _refusal(e) from None
        except (typer.Exit, typer.Abort, typer.TyperException):
            raise  # an exit code chosen, Ctrl-C, a usage error: typer reports these itself
        except Exception as e:
            raise typer.Exit(report(e, debug=bool(ctx.params.get("debug")))) from None
