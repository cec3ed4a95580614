"""Command groups for HR's year: rosters, cycles, schedules."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from appraisal.clients import connect
from appraisal.settings import get_settings
from domain.curve import UnitRating
from domain.presets import preset
from domain.ratings import Grade
from domain.roster import Roster, RosterInvalid

T = TypeVar("T")
roster_app = typer.Typer(
    help="Check and import roster snapshots (CSV or JSON).", no_args_is_help=True
)
cycle_app = typer.Typer(help="Launch a year, watch it, calibrate a unit.", no_args_is_help=True)
schedule_app = typer.Typer(help="A yearly schedule that launches a cycle.", no_args_is_help=True)

Org = Annotated[str, typer.Option(help="The organisation, e.g. kota-binjai")]
Year = Annotated[int, typer.Option(help="The appraisal year")]
PolicyOpt = Annotated[str, typer.Option("--policy", help="A preset name")]


def _run(make: Callable[[], Coroutine[Any, Any, T]]) -> T:
    # A failure (a domain error, a refusal from Temporal) goes up to the root command, which
    # reports it in one line, or with its traceback under --debug.
    return asyncio.run(make())


def _read_roster(path: Path) -> Roster:
    from appraisal.rosters import check_roster_file

    try:
        return check_roster_file(
            path.read_bytes(), content_type="json" if path.suffix == ".json" else None
        )
    except RosterInvalid as e:
        for err in e.errors:
            typer.echo(f"row {err.row or '-'}\t{err.field or '-'}\t{err.message}", err=True)
        typer.echo(str(e), err=True)
        raise typer.Exit(1) from None


@roster_app.command("validate")
def roster_validate(
    path: Annotated[Path, typer.Argument(help="roster.csv or roster.json")],
) -> None:
    """Check a roster file; every problem is listed by row and column."""
    roster = _read_roster(path)
    typer.echo(f"ok: {len(roster.employees)} employees in {len(roster.units())} units")


@roster_app.command("import")
def roster_import(path: Annotated[Path, typer.Argument()], org: Org) -> None:
    """Validate and store a roster snapshot; nothing is stored unless all of it is valid."""
    from appraisal.rosters import import_roster
    from store.db import make_engine, make_session_factory
    from store.migrate import upgrade

    roster = _read_roster(path)

    async def go() -> str:
        url = get_settings().database_url
        await upgrade(url)
        engine = make_engine(url)
        try:
            return (await import_roster(make_session_factory(engine), org, roster)).id
        finally:
            await engine.dispose()

    typer.echo(_run(go))


@cycle_app.command("launch")
def cycle_launch(
    org: Org, year: Year, roster: Annotated[str, typer.Option()], policy: PolicyOpt = "national"
) -> None:
    """Launch the organisation's cycle for the year (or find the running one)."""
    from workflows.starters import launch_cycle

    async def go() -> str:
        settings = get_settings()
        handle = await launch_cycle(
            await connect(settings),
            org=org,
            year=year,
            roster_id=roster,
            policy=preset(policy),
            task_queue=settings.task_queue,
        )
        return handle.id

    typer.echo(_run(go))


@cycle_app.command("status")
def cycle_status(org: Org, year: Year) -> None:
    """Launch progress and, per unit, how many appraisals stand in each stage."""
    from workflows.cycle import CycleWorkflow
    from workflows.ids import cycle_workflow_id

    async def go() -> str:
        client = await connect(get_settings())
        handle = client.get_workflow_handle_for(CycleWorkflow.run, cycle_workflow_id(org, year))
        return (await handle.query(CycleWorkflow.status)).model_dump_json(indent=2)

    typer.echo(_run(go))


@cycle_app.command("calibrate")
def cycle_calibrate(
    org: Org,
    year: Year,
    unit: Annotated[str, typer.Option()],
    rating: Annotated[UnitRating, typer.Option(help="The unit's organisation rating")],
    actor: Annotated[str, typer.Option(help="Your NIP")],
    adjust: Annotated[
        list[str] | None, typer.Option(help="APPRAISAL_ID=GRADE:reason, repeatable")
    ] = None,
) -> None:
    """Check a unit against its curve and release its grades when they fit."""
    from workflows.cycle import CycleWorkflow
    from workflows.cycle_messages import Adjustment, CalibrateInput
    from workflows.ids import cycle_workflow_id

    changes = []
    for item in adjust or []:
        target, _, rest = item.partition("=")
        grade, _, reason = rest.partition(":")
        grades = [g.value for g in Grade]
        if grade not in grades:
            raise typer.BadParameter(
                f"{item!r}: a grade is one of {', '.join(grades)}", param_hint="--adjust"
            )
        changes.append(Adjustment(appraisal_id=target, grade=Grade(grade), reason=reason))

    async def go() -> str:
        client = await connect(get_settings())
        handle = client.get_workflow_handle_for(CycleWorkflow.run, cycle_workflow_id(org, year))
        result = await handle.execute_update(
            CycleWorkflow.calibrate,
            CalibrateInput(
                actor_nip=actor, unit_code=unit, unit_rating=rating, adjustments=changes
            ),
        )
        if result.violations:
            return "\n".join(f"violation: {v.message}" for v in result.violations)
        return f"released {result.released} grades ({result.waiting} reviews still open)"

    typer.echo(_run(go))


@schedule_app.command("create")
def schedule_create(
    org: Org,
    policy: PolicyOpt = "national",
    month: Annotated[int, typer.Option(min=1, max=12)] = 1,
    day: Annotated[int, typer.Option(min=1, max=28)] = 2,
) -> None:
    """Launch the organisation's cycle every year on the given day (Asia/Jakarta), from its
    latest roster."""
    from appraisal.schedules import create_yearly

    async def go() -> str:
        settings = get_settings()
        return await create_yearly(
            await connect(settings),
            org=org,
            policy=preset(policy),
            task_queue=settings.task_queue,
            month=month,
            day=day,
        )

    typer.echo(_run(go))


@schedule_app.command("list")
def schedule_list() -> None:
    """Every schedule with its state."""
    from appraisal.schedules import list_yearly

    async def go() -> list[str]:
        return await list_yearly(await connect(get_settings()))

    for line in _run(go):
        typer.echo(line)


@schedule_app.command("pause")
def schedule_pause(
    schedule_id: Annotated[str, typer.Argument()],
    note: Annotated[str, typer.Option()] = "paused by HR",
) -> None:
    """Pause a schedule; `temporal schedule toggle --unpause` resumes it."""
    from appraisal.schedules import pause_yearly

    async def go() -> None:
        await pause_yearly(await connect(get_settings()), schedule_id, note)

    _run(go)
    typer.echo(f"paused {schedule_id}")
