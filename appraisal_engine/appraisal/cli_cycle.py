"""Command groups for HR's year: rosters, cycles, schedules."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer

from appraisal_engine.appraisal.i18n import _, said, said_error
from appraisal_engine.appraisal.settings import get_settings
from appraisal_engine.domain.appeals import APPEALS_OFFICER_FIELD
from appraisal_engine.domain.curve import UnitRating
from appraisal_engine.domain.errors import DomainError, Wording
from appraisal_engine.domain.launch import (
    REGIONAL_HEAD,
    LaunchRefused,
    check_policy,
    launch_roster,
    with_named,
)
from appraisal_engine.domain.policy import Policy
from appraisal_engine.domain.presets import preset
from appraisal_engine.domain.ratings import Grade
from appraisal_engine.domain.roster import Roster, RosterInvalid, parse_roster, validate_roster

if TYPE_CHECKING:
    from temporalio.client import Client

    from appraisal_engine.client.connect import TemporalSettings

T = TypeVar("T")
roster_app = typer.Typer(
    help="Check and import roster snapshots (CSV or JSON).", no_args_is_help=True
)
cycle_app = typer.Typer(help="Launch a year, watch it, calibrate a unit.", no_args_is_help=True)
schedule_app = typer.Typer(help="A yearly schedule that launches a cycle.", no_args_is_help=True)


async def connect(settings: TemporalSettings) -> Client:
    """Temporal's client, imported only by the commands that reach it: the others (roster
    validate, policy-check) start without loading it."""
    from appraisal_engine.client.connect import connect as reach

    return await reach(settings)


Org = Annotated[str, typer.Option(help="The organisation, e.g. kota-binjai")]
Year = Annotated[int, typer.Option(help="The appraisal year")]
PolicyOpt = Annotated[
    str | None, typer.Option("--policy", help="A preset name (national unless a file is given)")
]
PolicyFileOpt = Annotated[
    Path | None,
    typer.Option("--policy-file", help="A policy file (.toml or .json), as policy-check reads it"),
]
RegionalHeadOpt = Annotated[
    str | None,
    typer.Option(
        "--regional-head",
        metavar="NIP",
        help="Who appraises the heads at the top of the roster, if the policy names no one",
    ),
]
AppealsOfficerOpt = Annotated[
    str | None,
    typer.Option(
        "--appeals-officer",
        metavar="NIP",
        help="Who hears the appeals of the heads at the top (e.g. the regional secretary), if "
        "the policy names no one",
    ),
]


def _run(make: Callable[[], Coroutine[Any, Any, T]], missing: str | None = None) -> T:
    # A failure (a domain error, a refusal from Temporal) goes up to the root command, which
    # reports it in one line, or with its traceback under --debug. What the command names but
    # Temporal does not know is said as `missing` says it, not by Temporal's internal id.
    from temporalio.service import RPCError, RPCStatusCode

    from appraisal_engine.client.failures import is_closed_run

    try:
        return asyncio.run(make())
    except RPCError as e:
        # A run that has closed is said as Temporal says it.
        if missing is None or e.status is not RPCStatusCode.NOT_FOUND or is_closed_run(e):
            raise
        raise DomainError(missing) from None


def _no_cycle(org: str, year: int) -> str:
    return _(
        "no cycle of %(org)s for %(year)s: `appraisal cycle launch` starts one", org=org, year=year
    )


def _chosen_policy(
    name: str | None, path: Path | None, regional_head: str | None, appeals_officer: str | None
) -> Policy:
    """The preset or the policy file, with the regional head and appeals officer if given."""
    from appraisal_engine.domain.policy import load_policy

    if name is not None and path is not None:
        raise DomainError(_("give --policy or --policy-file, not both"))
    policy = load_policy(path) if path is not None else preset(name or "national")
    return with_named(policy, regional_head_nip=regional_head, appeals_officer_nip=appeals_officer)


OPTION_OF = {REGIONAL_HEAD: "--regional-head", APPEALS_OFFICER_FIELD: "--appeals-officer"}


def _refused(e: LaunchRefused, what: str, chosen: Policy) -> DomainError:
    """The refusal in one line (`what` could not be done), saying which option sets a missing
    field."""
    option = OPTION_OF.get(e.field or "")
    missing = option is not None and getattr(chosen, e.field or "") is None
    said = _("%(what)s: %(refusal)s", what=what, refusal=said_error(e))
    if missing:
        said = _("%(refusal)s; name one with %(option)s NIP", refusal=said, option=option)
    return DomainError(said)


def _read_roster(path: Path) -> Roster:
    """Parse and validate; RosterInvalid lists every problem by row and column."""
    content_type = "json" if path.suffix == ".json" else None
    try:
        return validate_roster(parse_roster(path.read_bytes(), content_type=content_type))
    except RosterInvalid as e:
        for err in e.errors:
            message = said(Wording(err.template, err.values)) if err.template else err.message
            row = _("row %(row)s", row=err.row or "-")
            typer.echo(f"{row}\t{err.field or '-'}\t{message}", err=True)
        typer.echo(said_error(e), err=True)
        raise typer.Exit(1) from None


@roster_app.command("validate")
def roster_validate(
    path: Annotated[Path, typer.Argument(help="roster.csv or roster.json")],
) -> None:
    """Check a roster file; every problem is listed by row and column."""
    roster = _read_roster(path)
    typer.echo(
        _(
            "ok: %(employees)s employees in %(units)s units",
            employees=len(roster.employees),
            units=len(roster.units()),
        )
    )


@roster_app.command("import")
def roster_import(path: Annotated[Path, typer.Argument()], org: Org) -> None:
    """Validate and store a roster snapshot; nothing is stored unless all of it is valid."""
    from appraisal_engine.appraisal.rosters import import_roster
    from appraisal_engine.store.db import make_engine, make_session_factory
    from appraisal_engine.store.migrate import upgrade

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
    org: Org,
    year: Year,
    roster: Annotated[str, typer.Option()],
    policy: PolicyOpt = None,
    policy_file: PolicyFileOpt = None,
    regional_head: RegionalHeadOpt = None,
    appeals_officer: AppealsOfficerOpt = None,
) -> None:
    """Launch the organisation's cycle for the year (or find the running or completed one; a
    failed one is launched again). A policy that cannot run is refused before anything starts."""
    from appraisal_engine.client.starters import launch_cycle
    from appraisal_engine.store.db import make_engine, make_session_factory
    from appraisal_engine.store.repositories.rosters import list_employees
    from appraisal_engine.workflows.ids import cycle_id

    async def go() -> str:
        settings = get_settings()
        chosen = _chosen_policy(policy, policy_file, regional_head, appeals_officer)
        engine = make_engine(settings.database_url)
        try:
            async with make_session_factory(engine)() as session:
                employees = await list_employees(session, roster)
        finally:
            await engine.dispose()
        try:
            launch_roster(employees, chosen)
        except LaunchRefused as e:
            what = _("cannot launch %(org)s %(year)s", org=org, year=year)
            raise _refused(e, what, chosen) from None
        await launch_cycle(
            await connect(settings),
            org=org,
            year=year,
            roster_id=roster,
            policy=chosen,
            task_queue=settings.task_queue,
        )
        return cycle_id(org, year)  # as `cycle status`, the API and the appraisals' ids name it

    typer.echo(_run(go))


@cycle_app.command("status")
def cycle_status(org: Org, year: Year) -> None:
    """Launch progress, per unit how many appraisals stand in each stage, and the state of the
    cycle's run: `failed` with the failure's type and message when it failed."""
    from appraisal_engine.client.cycle_runs import outcome_of
    from appraisal_engine.workflows.cycle import CycleWorkflow
    from appraisal_engine.workflows.ids import cycle_workflow_id

    async def go() -> str:
        client = await connect(get_settings())
        handle = client.get_workflow_handle_for(CycleWorkflow.run, cycle_workflow_id(org, year))
        status = await handle.query(CycleWorkflow.status)
        outcome = await outcome_of(client, await handle.describe())
        shown = status.model_dump(mode="json") | outcome.model_dump(mode="json")
        return json.dumps(shown, indent=2, ensure_ascii=False)

    typer.echo(_run(go, _no_cycle(org, year)))


@cycle_app.command("calibrate")
def cycle_calibrate(
    org: Org,
    year: Year,
    unit: Annotated[str, typer.Option()],
    actor: Annotated[str, typer.Option(help="Your NIP")],
    rating: Annotated[
        UnitRating | None,
        typer.Option(
            help="Leave out: the rating the unit's official decided is used (another is "
            "refused). Needed only in a cycle launched before units were rated by their official"
        ),
    ] = None,
    adjust: Annotated[
        list[str] | None, typer.Option(help="APPRAISAL_ID=GRADE:reason, repeatable")
    ] = None,
) -> None:
    """Check a unit against the curve of its decided rating and release its grades when they
    fit."""
    from appraisal_engine.domain.calibration import Adjustment
    from appraisal_engine.workflows.cycle import CycleWorkflow
    from appraisal_engine.workflows.cycle_messages import CalibrateInput
    from appraisal_engine.workflows.ids import cycle_workflow_id

    changes = []
    for item in adjust or []:
        target, _eq, rest = item.partition("=")
        grade, _colon, reason = rest.partition(":")
        grades = [g.value for g in Grade]
        if grade not in grades:
            said = _(
                "%(item)s: a grade is one of %(grades)s", item=repr(item), grades=", ".join(grades)
            )
            raise typer.BadParameter(said, param_hint="--adjust")
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
            return "\n".join(
                _("violation: %(message)s", message=v.message) for v in result.violations
            )
        return _(
            "released %(released)s grades (%(waiting)s reviews still open)",
            released=result.released,
            waiting=result.waiting,
        )

    typer.echo(_run(go, _no_cycle(org, year)))


def _rate(
    org: str,
    year: int,
    unit: str,
    rating: UnitRating,
    note: str | None,
    actor: str,
    *,
    decide: bool,
) -> str:
    """Propose (HR) or decide (the unit's official) a unit's rating; one line saying so."""
    from appraisal_engine.workflows.cycle import CycleWorkflow
    from appraisal_engine.workflows.cycle_messages import UnitRatingInput
    from appraisal_engine.workflows.ids import cycle_workflow_id

    inp = UnitRatingInput(actor_nip=actor, unit_code=unit, rating=rating, note=note)
    update = CycleWorkflow.decide_unit_rating if decide else CycleWorkflow.propose_unit_rating

    async def go() -> str:
        client = await connect(get_settings())
        handle = client.get_workflow_handle_for(CycleWorkflow.run, cycle_workflow_id(org, year))
        progress = await handle.execute_update(update, inp)
        entry = progress.rating_decided if decide else progress.rating_proposed
        assert entry is not None
        said = (
            _("%(unit)s: %(rating)s decided by %(nip)s at %(at)s")
            if decide
            else _("%(unit)s: %(rating)s proposed by %(nip)s at %(at)s")
        )
        return said % {
            "unit": unit,
            "rating": entry.rating.value,
            "nip": entry.actor_nip,
            "at": entry.at.isoformat(),
        }

    return _run(go, _no_cycle(org, year))


Note = Annotated[str | None, typer.Option(help="Why this rating (kept with it)")]


@cycle_app.command("propose-rating")
def cycle_propose_rating(
    org: Org,
    year: Year,
    unit: Annotated[str, typer.Option()],
    rating: Annotated[UnitRating, typer.Option(help="The unit's organisation rating")],
    actor: Annotated[str, typer.Option(help="Your NIP (HR)")],
    note: Note = None,
) -> None:
    """HR prepares a unit's organisation rating for its official to decide."""
    typer.echo(_rate(org, year, unit, rating, note, actor, decide=False))


@cycle_app.command("decide-rating")
def cycle_decide_rating(
    org: Org,
    year: Year,
    unit: Annotated[str, typer.Option()],
    rating: Annotated[UnitRating, typer.Option(help="The unit's organisation rating")],
    actor: Annotated[
        str, typer.Option(help="Your NIP: the official one level up from the unit's head")
    ],
    note: Note = None,
) -> None:
    """The unit's official decides its organisation rating, which picks its curve; deciding
    again replaces it until grades are released against it."""
    typer.echo(_rate(org, year, unit, rating, note, actor, decide=True))


@cycle_app.command("ratings")
def cycle_ratings(org: Org, year: Year) -> None:
    """Each unit's organisation rating: who decides it, HR's proposal and the decision."""
    from appraisal_engine.workflows.cycle import CycleWorkflow
    from appraisal_engine.workflows.ids import cycle_workflow_id

    async def go() -> list[str]:
        client = await connect(get_settings())
        handle = client.get_workflow_handle_for(CycleWorkflow.run, cycle_workflow_id(org, year))
        status = await handle.query(CycleWorkflow.status)
        lines = []
        for unit, p in sorted(status.units.items()):
            if p.rater_nip is None:
                said = _(
                    "%(unit)s: rated by HR at calibration (%(rating)s)",
                    unit=unit,
                    rating=p.unit_rating or "-",
                )
                lines.append(said)
                continue
            proposed = p.rating_proposed.rating.value if p.rating_proposed else "-"
            decided = (
                _(
                    "%(rating)s by %(nip)s at %(at)s",
                    rating=p.rating_decided.rating.value,
                    nip=p.rating_decided.actor_nip,
                    at=p.rating_decided.at.isoformat(),
                )
                if p.rating_decided
                else _("not decided")
            )
            said = (
                _("%(unit)s: rater %(nip)s, proposed %(proposed)s, decided %(decided)s, released")
                if p.released
                else _("%(unit)s: rater %(nip)s, proposed %(proposed)s, decided %(decided)s")
            )
            shown = {"unit": unit, "nip": p.rater_nip, "proposed": proposed, "decided": decided}
            lines.append(said % shown)
        return lines

    for line in _run(go, _no_cycle(org, year)):
        typer.echo(line)


@schedule_app.command("create")
def schedule_create(
    org: Org,
    policy: PolicyOpt = None,
    policy_file: PolicyFileOpt = None,
    regional_head: RegionalHeadOpt = None,
    appeals_officer: AppealsOfficerOpt = None,
    month: Annotated[int, typer.Option(min=1, max=12)] = 1,
    day: Annotated[int, typer.Option(min=1, max=28)] = 2,
) -> None:
    """Launch the organisation's cycle every year on the given day (Asia/Jakarta), from its
    latest roster. A policy that cannot run is refused."""
    from appraisal_engine.appraisal.schedules import create_yearly

    async def go() -> str:
        settings = get_settings()
        chosen = _chosen_policy(policy, policy_file, regional_head, appeals_officer)
        try:
            check_policy(chosen)  # refused before Temporal is even reached
        except LaunchRefused as e:
            raise _refused(e, _("cannot schedule %(org)s", org=org), chosen) from None
        return await create_yearly(
            await connect(settings),
            org=org,
            policy=chosen,
            task_queue=settings.task_queue,
            month=month,
            day=day,
        )

    typer.echo(_run(go))


@schedule_app.command("list")
def schedule_list() -> None:
    """Every schedule with its state."""
    from appraisal_engine.appraisal.schedules import list_yearly

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
    from appraisal_engine.appraisal.schedules import pause_yearly

    async def go() -> None:
        await pause_yearly(await connect(get_settings()), schedule_id, note)

    _run(go, _("no schedule %(id)s: `appraisal schedule list` shows them", id=schedule_id))
    typer.echo(_("paused %(id)s", id=schedule_id))
