"""The `appraisal` command line."""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from appraisal_engine.appraisal.cli_api import api, dev, token
from appraisal_engine.appraisal.cli_audit import audit_app
from appraisal_engine.appraisal.cli_cycle import cycle_app, roster_app, schedule_app
from appraisal_engine.appraisal.cli_errors import ReportingGroup, refuse_setting
from appraisal_engine.appraisal.cli_ops import register_search_attributes
from appraisal_engine.appraisal.i18n import Locale, _, choose, label, said_error
from appraisal_engine.appraisal.settings import get_settings
from appraisal_engine.domain.errors import DomainError
from appraisal_engine.domain.presets import PRESETS, preset
from appraisal_engine.domain.ratings import Rating

app = typer.Typer(
    help="Yearly performance-appraisal cycles for Indonesian civil servants (ASN) on Temporal.",
    no_args_is_help=True,
    add_completion=False,
    cls=ReportingGroup,
)

app.add_typer(roster_app, name="roster")
app.add_typer(cycle_app, name="cycle")
app.add_typer(schedule_app, name="schedule")
app.add_typer(audit_app, name="audit")


@app.callback()
def options(
    debug: Annotated[
        bool, typer.Option("--debug", help="Show the traceback when a command fails")
    ] = False,
    lang: Annotated[
        Locale | None,
        typer.Option(
            "--lang",
            help="The language of what is printed: id (Bahasa Indonesia) or en (English); "
            "default: the DEFAULT_LOCALE setting (id)",
        ),
    ] = None,
) -> None:
    """Yearly performance-appraisal cycles for Indonesian civil servants (ASN) on Temporal."""
    # The setting is read when a line is first printed, not here: a command that needs no
    # setting (policy-check, roster validate) still runs beside a setting that does not validate.
    choose(lang)


PolicyName = Annotated[str, typer.Option("--policy", "-p", help=f"One of: {', '.join(PRESETS)}")]


@app.command()
def demo(
    policy: PolicyName = "national",
    results: Annotated[Rating, typer.Option(help="How the supervisor rates every target")] = (
        Rating.MEETS
    ),
    behaviour: Annotated[Rating, typer.Option(help="How every BerAKHLAK value is rated")] = (
        Rating.ABOVE
    ),
) -> None:
    """Run one fictional employee's whole year under the time-skipping server, step by step."""
    from appraisal_engine.appraisal.cli_simulate import BACKEND
    from appraisal_engine.simulator.demo import run_demo

    try:
        chosen = preset(policy)
    except DomainError as e:
        raise typer.BadParameter(said_error(e), param_hint="--policy") from None
    typer.echo(_("Policy %(name)s: %(title)s", name=chosen.name, title=chosen.title) + "\n")
    run = asyncio.run(
        run_demo(
            chosen,
            get_settings().database_url,
            backend=BACKEND,
            results=results,
            behaviour=behaviour,
            say=typer.echo,
            words=_,
            names=label,
        )
    )
    r = run.result
    outcome = r.outcome
    grade = label("grade", r.grade_final.value) if r.grade_final else "-"
    typer.echo("\n" + _("grade: %(grade)s", grade=grade))
    if outcome is not None:
        awards = ", ".join(label("award", a.value) for a in outcome.awards) or "-"
        typer.echo(
            _(
                "outcome: %(outcome)s (awards: %(awards)s, credit points %(percent)s%%)",
                outcome=label("outcome", outcome.kind.value),
                awards=awards,
                percent=outcome.credit_points_percent,
            )
        )
    if r.mentor_nip:
        typer.echo(_("mentor: %(nip)s", nip=r.mentor_nip))
    typer.echo(_("flags: %(flags)s", flags=", ".join(r.flags) or _("none")))


@app.command()
def simulate(
    employees: Annotated[int, typer.Option(min=1, help="Size of the generated city roster")],
    policy: PolicyName = "national",
    seed: Annotated[int, typer.Option(help="The same seed gives the same figures")] = 0,
    units: Annotated[int | None, typer.Option(min=1, help="Default: one per ~40 people")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON document on stdout")] = False,
    database_url: Annotated[
        str | None, typer.Option(help="Read model; default: a temporary SQLite file")
    ] = None,
) -> None:
    """Run a whole cycle for a generated city under the time-skipping server, with scripted
    actors (most on time, some late, appealing or transferred), and print its figures."""
    from appraisal_engine.appraisal.cli_simulate import render, run_simulation, sandboxed

    try:
        chosen = preset(policy)
    except DomainError as e:
        raise typer.BadParameter(said_error(e), param_hint="--policy") from None
    if units is not None and units > employees:
        raise typer.BadParameter(_("at most one unit per employee"), param_hint="--units")
    if not as_json:
        said = (
            _("workflows run in Temporal's sandbox, as WORKFLOW_SANDBOX says")
            if sandboxed()
            else _("workflows run outside Temporal's sandbox, as WORKFLOW_SANDBOX says")
        )
        typer.echo(said, err=True)
    report = run_simulation(
        chosen,
        employees,
        seed=seed,
        units=units,
        database_url=database_url,
        show_progress=not as_json,
    )
    typer.echo(report.model_dump_json(indent=2) if as_json else "\n".join(render(report)))


@app.command()
def policies() -> None:
    """List the policy presets."""
    for name, p in PRESETS.items():
        typer.echo(f"{name:<14} {p.title}")


@app.command("policy-check")
def policy_check(
    path: Annotated[Path, typer.Argument(help="A policy file, .toml or .json")],
) -> None:
    """Validate a policy file; every problem is named."""
    from appraisal_engine.domain.policy import load_policy

    try:
        p = load_policy(path)
    except DomainError as e:
        typer.echo(said_error(e), err=True)
        raise typer.Exit(1) from None
    typer.echo(_("ok: %(name)s (%(title)s)", name=p.name, title=p.title))
    if p.appeals_officer_nip is None:
        # Every roster has heads at the top, whose appraiser has no superior of their own.
        typer.echo(
            _(
                "note: no appeals_officer_nip: a cycle under this policy is refused unless the "
                "launch names one to hear the appeals of the heads at the top"
            )
        )
    if "curve_rounding" not in p.model_fields_set:
        # Strict is the default only so that cycles launched before the setting keep deciding
        # as they did; a small unit may then be unable to fit its curve.
        typer.echo(
            _(
                "note: no curve_rounding: the curve's shares round strictly (at most %(share)s "
                "of 9 allows none; a unit of 1 or 2 rated kurang cannot fit); the presets name "
                "nearest",
                share="10%",
            )
        )


@app.command("verify-history")
def verify_history(
    files: Annotated[list[Path], typer.Argument(help="Histories exported as Temporal JSON")],
) -> None:
    """Replay exported histories against the current workflow code and re-derive each grade."""
    from appraisal_engine.appraisal.verify import verify_and_report
    from appraisal_engine.client.connect import converter as settings_converter

    # Histories of a deployment with PAYLOAD_KEYS are encrypted: read them with the same keys.
    converter = settings_converter(get_settings())
    code = asyncio.run(verify_and_report(files, typer.echo, converter))
    if code:
        raise typer.Exit(code)


@app.command()
def migrate() -> None:
    """Apply the database migrations to DATABASE_URL."""
    from appraisal_engine.store.migrate import upgrade_sync

    upgrade_sync(get_settings().database_url)
    typer.echo(_("database is at the latest migration"))


@app.command()
def worker() -> None:
    """Run a worker against the configured Temporal server and database, and the notice
    sender beside it (SMTP_* and WEBHOOK_* settings; NOTICE_SENDER=false leaves it out)."""
    from appraisal_engine.appraisal.run_worker import run_worker

    try:
        get_settings().notice_config()
    except ValueError as e:
        refuse_setting(e)
    asyncio.run(run_worker(get_settings()))


app.command()(dev)
app.command()(api)
app.command()(token)
app.command("register-search-attributes")(register_search_attributes)


def main() -> None:
    """The `appraisal` script: run the command, then leave at once with its exit code.

    The Temporal SDK's runtime keeps native threads that call into Python. The SDK cannot stop
    them, and if they are still at it while the interpreter finalizes, the process aborts
    (`Fatal Python error: PyGILState_Release`) or segfaults after the command has finished. So
    once the command is done and its output flushed, nothing is left to finalize: leave."""
    code = 0
    try:
        app()
    except SystemExit as e:  # how click ends every command, successful or not
        if isinstance(e.code, str):
            print(e.code, file=sys.stderr)
        code = e.code if isinstance(e.code, int) else 0 if e.code is None else 1
    except BaseException:  # outside any command (the group reports those); still our exit code
        import traceback

        traceback.print_exc()
        code = 1
    import logging

    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        # A closed pipe: the reader is gone, there is nobody left to tell.
        with contextlib.suppress(OSError, ValueError):
            stream.flush()
    os._exit(code)


if __name__ == "__main__":
    main()
