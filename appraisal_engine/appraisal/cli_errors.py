"""How the command line reports a failed command: one line on stderr and exit code 1, the
traceback only with --debug."""

from __future__ import annotations

import traceback
from typing import Any

import pydantic
import typer
from typer.core import TyperGroup

from appraisal_engine.appraisal.i18n import _, said_error
from appraisal_engine.domain.errors import DomainError

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
        fields = (f"{'.'.join(map(str, e['loc'])) or '-'}: {e['msg']}" for e in error.errors())
        text = _("invalid input: %(fields)s", fields="; ".join(fields))
    else:
        root = innermost(error)
        if isinstance(root, DomainError):
            text = said_error(root)
        elif isinstance(root, ApplicationError):
            text = f"{root.type}: {root.message}" if root.type else root.message
        else:
            text = str(root) or type(root).__name__
        if not isinstance(error, _expected()):
            text = _(
                "%(error)s: %(message)s (--debug shows the traceback)",
                error=type(error).__name__,
                message=text,
            )
    return " ".join(text.split())


def report(error: BaseException, *, debug: bool) -> int:
    """Tell the user on stderr: the traceback with --debug, else one line; the exit code."""
    if debug:
        traceback.print_exception(error)
    else:
        typer.echo(describe(error), err=True)
    return 1


class ReportingGroup(TyperGroup):
    """The root command: any command's failure is reported by `report`, in one place."""

    def invoke(self, ctx: Any) -> Any:  # typer's own click.Context, which it does not export
        """Run the command; a failure other than typer's own becomes a report and exit code 1."""
        try:
            return super().invoke(ctx)
        except (typer.Exit, typer.Abort, typer.TyperException):
            raise  # an exit code chosen, Ctrl-C, a usage error: typer reports these itself
        except Exception as e:
            raise typer.Exit(report(e, debug=bool(ctx.params.get("debug")))) from None
