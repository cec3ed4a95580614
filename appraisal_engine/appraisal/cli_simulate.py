"""`appraisal simulate` and `appraisal demo`: the simulator on this application's time-skipping
server and worker; a simulated cycle run with a progress bar, its figures printed."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Iterator, Mapping

from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio.client import Client
from temporalio.runtime import (
    LogForwardingConfig,
    LoggingConfig,
    Runtime,
    TelemetryConfig,
    TelemetryFilter,
)
from temporalio.worker import Worker

from appraisal_engine.activities.notify import Notifier
from appraisal_engine.appraisal.i18n import _
from appraisal_engine.appraisal.servers import start_time_skipping
from appraisal_engine.appraisal.settings import get_settings
from appraisal_engine.appraisal.worker import build_worker
from appraisal_engine.domain.policy import Policy
from appraisal_engine.simulator.backend import Backend
from appraisal_engine.simulator.cycle import simulate
from appraisal_engine.simulator.report import SimulationReport

# Every appraisal of a simulated city stays in the worker's cache: the year touches each of them
# in turn, so with more of them than the SDK's default cache holds (1,000) nearly every workflow
# task would evict another workflow and replay its whole history.
CACHED_WORKFLOWS = 100_000


def sandboxed() -> bool:
    """Whether the simulation's workflows run in Temporal's sandbox: as production workers run
    them, outside it unless WORKFLOW_SANDBOX says otherwise (the tests' workers always do)."""
    return get_settings().workflow_sandbox


def simulation_worker(
    client: Client,
    task_queue: str,
    session_factory: async_sessionmaker[AsyncSession],
    /,
    *,
    notifier: Notifier,
) -> Worker:
    """The application's worker, configured as production runs it, with room for a city."""
    return build_worker(
        client,
        task_queue,
        session_factory,
        notifier=notifier,
        sandboxed=sandboxed(),
        max_cached_workflows=CACHED_WORKFLOWS,
    )


BACKEND = Backend(start_server=start_time_skipping, worker=simulation_worker)

SHORT = {"sangat_baik": "SB", "baik": "B", "butuh_perbaikan": "BP", "kurang": "K"}
SHORT["sangat_kurang"] = "SK"
YEAR_AND_TAIL = 365 + 75  # the bar's length in days: the year, then review, appeal, follow-up


def core_logs_to_stderr() -> None:
    """Send the Temporal core's log lines through Python logging (stderr): by default they go
    to stdout, where the report goes. A runtime already chosen in this process is kept."""
    logs = LoggingConfig(
        filter=TelemetryFilter(core_level="WARN", other_level="ERROR"),
        forwarding=LogForwardingConfig(logger=logging.getLogger("temporalio.core")),
    )
    with contextlib.suppress(RuntimeError):
        Runtime.set_default(Runtime(telemetry=TelemetryConfig(logging=logs)))


def run_simulation(
    policy: Policy,
    employees: int,
    *,
    seed: int,
    units: int | None,
    database_url: str | None,
    show_progress: bool,
) -> SimulationReport:
    """Run the cycle; with `show_progress`, a bar of simulated days on stderr."""
    core_logs_to_stderr()
    if not show_progress:
        return asyncio.run(
            simulate(
                policy,
                employees,
                backend=BACKEND,
                seed=seed,
                units=units,
                database_url=database_url,
            )
        )
    columns = (TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn())
    with Progress(*columns, console=Console(stderr=True)) as bar:
        task = bar.add_task(_("starting the test server"), total=YEAR_AND_TAIL)

        def show(closed: int, day: int) -> None:
            text = _(
                "day %(day)s, %(closed)s/%(employees)s appraisals closed",
                day=f"{day:>3}",
                closed=closed,
                employees=employees,
            )
            bar.update(task, completed=min(day, YEAR_AND_TAIL), description=text)

        report = asyncio.run(
            simulate(
                policy,
                employees,
                backend=BACKEND,
                seed=seed,
                units=units,
                database_url=database_url,
                on_progress=show,
            )
        )
        bar.update(task, completed=YEAR_AND_TAIL)
    return report


def _counts(counts: Mapping[str, int]) -> str:
    return ", ".join(f"{k} {v}" for k, v in counts.items()) or _("none")


def render(report: SimulationReport) -> Iterator[str]:
    """The report as lines of text."""
    yield _(
        "policy %(policy)s, %(employees)s employees in %(units)s units, seed %(seed)s",
        policy=report.policy,
        employees=report.employees,
        units=len(report.units),
        seed=report.seed,
    )
    yield ""
    unit_, done_, cancelled_ = _("unit"), _("done"), _("cancelled")
    rating_, adjusted_ = _("rating"), _("adjusted")
    width = max(len(unit_), len(total := _("total")), *(len(u) for u in report.units))
    grades = "".join(f"{s:>5}" for s in SHORT.values())
    # Each column as wide as its heading (at least as wide as its figures).
    wide = {"done": max(4, len(done_)), "cancelled": max(9, len(cancelled_))}
    wide |= {"rating": max(16, len(rating_)), "adjusted": max(8, len(adjusted_))}
    yield (
        f"{unit_:<{width}}{grades}  {done_:>{wide['done']}}  {cancelled_:>{wide['cancelled']}}"
        f"  {rating_:<{wide['rating']}} {adjusted_:>{wide['adjusted']}}"
    )
    rows = [*report.units.items(), (total, None)]
    for code, unit in rows:
        counts = unit.grades if unit else report.grades
        cells = "".join(f"{counts[g]:>5}" for g in SHORT)
        done, cancelled = (unit.done, unit.cancelled) if unit else (report.done, report.cancelled)
        tail = (
            f"  {unit.rating or '-':<{wide['rating']}} {unit.adjusted:>{wide['adjusted']}}"
            if unit
            else ""
        )
        counted = f"{done:>{wide['done']}}  {cancelled:>{wide['cancelled']}}"
        yield f"{code:<{width}}{cells}  {counted}{tail}"
    yield f"({', '.join(f'{s} {g}' for g, s in SHORT.items())})"
    yield ""
    appeals = report.appeals
    figures = [
        (_("awards"), _counts(report.awards)),
        (_("outcomes"), _counts(report.outcomes)),
        (_("mentorships"), str(report.mentorships)),
    ]
    if report.teladan:
        said = _("%(n)s nominated by HR", n=report.teladan)
        figures.append((_("asn teladan"), said))
    said = _(
        "%(filed)s filed, %(upheld)s upheld, %(changed)s changed",
        filed=appeals["filed"],
        upheld=appeals["upheld"],
        changed=appeals["changed"],
    )
    figures += [
        (_("appeals"), said),
        (_("transfers"), str(report.transfers)),
        (_("overdue"), _counts(report.overdue)),
    ]
    said = _("%(n)s reminders sent", n=report.reminders)
    figures.append((_("escalated"), f"{_counts(report.escalated)} ({said})"))
    label = max(len(name) for name, _value in figures) + 2
    for name, value in figures:
        yield f"{name + ':':<{label}}{value}"
    yield ""
    yield _(
        "simulated %(days)s days in %(seconds)s s wall time",
        days=report.simulated_days,
        seconds=f"{report.wall_seconds:.1f}",
    )
