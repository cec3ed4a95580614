"""A whole cycle for a generated city under the time-skipping server, with scripted actors."""

from __future__ import annotations

import asyncio
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio.testing import WorkflowEnvironment

from appraisal_engine.activities.notify import LoggingNotifier
from appraisal_engine.api.auth import Principal
from appraisal_engine.api.roles import Role
from appraisal_engine.client.starters import CycleHandle, launch_cycle
from appraisal_engine.domain.policy import Policy
from appraisal_engine.domain.roster import validate_roster
from appraisal_engine.services import teladan
from appraisal_engine.simulator.backend import Backend, WorkerFactory
from appraisal_engine.simulator.driver import Progress, YearDriver
from appraisal_engine.simulator.report import SimulationReport, build_report
from appraisal_engine.simulator.roster import generate_roster
from appraisal_engine.simulator.script import Script
from appraisal_engine.simulator.scripted import APPEALS_OFFICER, HR, REGIONAL_HEAD
from appraisal_engine.store.db import make_engine, make_session_factory
from appraisal_engine.store.migrate import upgrade
from appraisal_engine.store.repositories.rosters import store_roster
from appraisal_engine.store.repositories.teladan import sangat_baik_appraisals
from appraisal_engine.workflows.cycle import CycleWorkflow
from appraisal_engine.workflows.cycle_messages import CommunityFeedbackInput, CycleStatus

SIM_CONNECTIONS = 2  # HR's nomination reads on one while it writes on the other

Inspect = Callable[[WorkflowEnvironment, async_sessionmaker[AsyncSession]], Awaitable[None]]


class Laps:
    """Wall seconds since the last lap, added to `into` under each lap's name (if given)."""

    def __init__(self, into: dict[str, float] | None) -> None:
        self.into, self.last = into, time.perf_counter()

    def __call__(self, name: str) -> None:
        now = time.perf_counter()
        if self.into is not None:
            self.into[name] = self.into.get(name, 0.0) + now - self.last
        self.last = now


async def _launched(cycle: CycleHandle) -> CycleStatus:
    """Wait until every appraisal has started; the launch runs in real time, not skipped."""
    for _ in range(36_000):
        status = await cycle.query(CycleWorkflow.status)
        if status.launch_done:
            return status
        await asyncio.sleep(0.05)
    raise RuntimeError("the cycle did not finish launching in 30 minutes")


def default_units(employees: int) -> int:
    """About forty people per unit, as in a small office, a kecamatan or a puskesmas."""
    return max(1, min(80, round(employees / 40)))


async def simulate(
    policy: Policy,
    employees: int,
    *,
    backend: Backend,
    seed: int = 0,
    units: int | None = None,
    database_url: str | None = None,
    on_progress: Progress | None = None,
    phases: dict[str, float] | None = None,
    inspect: Inspect | None = None,
) -> SimulationReport:
    """Start a time-skipping server and a database (a temporary SQLite file unless given), run
    one simulated cycle on them, and report it. `phases` gets the seconds each part took (see
    `simulate_on`); `inspect`, if given, looks at the server and the database after the cycle,
    before either is shut down (outside the reported time)."""
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="appraisal-simulate-") as tmp:
        url = database_url or f"sqlite+aiosqlite:///{Path(tmp) / 'simulate.db'}"
        await upgrade(url)
        # The temporary file is this process's alone: its sessions take turns on a few
        # connections instead of polling SQLite's write lock (see make_engine).
        engine = make_engine(url, connections=None if database_url else SIM_CONNECTIONS)
        try:
            env = await backend.start_server()
            try:
                report = await simulate_on(
                    env,
                    make_session_factory(engine),
                    policy,
                    employees,
                    worker=backend.worker,
                    seed=seed,
                    units=units,
                    on_progress=on_progress,
                    phases=phases,
                )
                wall = time.perf_counter() - started
                if inspect is not None:
                    await inspect(env, make_session_factory(engine))
            finally:
                await env.shutdown()
        finally:
            await engine.dispose()
    return report.model_copy(update={"wall_seconds": round(wall, 1)})


async def simulate_on(
    env: WorkflowEnvironment,
    sessions: async_sessionmaker[AsyncSession],
    policy: Policy,
    employees: int,
    *,
    worker: WorkerFactory,
    seed: int = 0,
    units: int | None = None,
    on_progress: Progress | None = None,
    phases: dict[str, float] | None = None,
) -> SimulationReport:
    """One simulated cycle on a running time-skipping server and a migrated database, with
    workers from `worker`. `phases`, if given, gets the wall seconds of each part: the roster
    stored, the launch, the year driven to its close, and the report."""
    started = time.perf_counter()
    lap = Laps(phases)
    people = generate_roster(employees, units=units or default_units(employees), seed=seed)
    policy = policy.model_copy(
        update={
            "regional_head_nip": policy.regional_head_nip or REGIONAL_HEAD,
            "appeals_officer_nip": policy.appeals_officer_nip or APPEALS_OFFICER,
        }
    )
    roster = validate_roster(
        [e.model_dump(mode="json") for e in people], top_appraiser_nip=policy.regional_head_nip
    )
    # A fresh organisation per run, so a shared database or server never meets an old cycle.
    org = f"sim-{uuid.uuid4().hex[:10]}"
    async with sessions() as session, session.begin():
        stored = await store_roster(session, org, roster)
    # The year starts on the next 1 January, so every run has the same calendar.
    now = await env.get_current_time()
    year_start = datetime(now.year + 1, 1, 1, tzinfo=UTC)
    await env.sleep(year_start - now)
    script = Script(people, policy, seed, year_start)
    lap("setup")
    queue = f"simulate-{org}"
    notifier = LoggingNotifier()
    async with worker(env.client, queue, sessions, notifier=notifier):
        cycle = await launch_cycle(
            env.client,
            org=org,
            year=year_start.year,
            roster_id=stored.id,
            policy=policy,
            task_queue=queue,
            year_start=year_start,
        )
        cycle_id = (await _launched(cycle)).cycle_id
        lap("launch")
        scores = community_scores(policy, roster.units(), script.community_score)
        if scores:
            await cycle.execute_update(
                CycleWorkflow.community_feedback,
                CommunityFeedbackInput(actor_nip=HR, scores=scores),
            )
        driver = YearDriver(
            env,
            sessions,
            cycle,
            cycle_id,
            script,
            hr_nip=HR,
            launched_at=await env.get_current_time(),
            on_progress=on_progress,
        )
        closed_at = await driver.run()
        lap("year")
        summary = await cycle.result()
    nominated = await nominate_teladan(sessions, cycle_id, policy, await env.get_current_time())
    lap("close")
    return build_report(
        policy=policy,
        seed=seed,
        roster_units=Counter(e.unit_code for e in people),
        summary=summary,
        tally=driver.tally,
        notices=notifier.sent,
        days=(closed_at - year_start).days,
        wall_seconds=round(time.perf_counter() - started, 1),
        teladan=nominated,
    )


async def nominate_teladan(
    sessions: async_sessionmaker[AsyncSession], cycle_id: str, policy: Policy, now: datetime
) -> int:
    """HR nominates ASN teladan, where the policy has HR do it: the Sangat Baik by NIP, up to the
    cap; how many were nominated."""
    if not policy.teladan.by_hr:
        return 0
    hr = Principal(nip=HR, roles=frozenset({Role.HR}))
    async with sessions() as session:
        chosen = await sangat_baik_appraisals(session, cycle_id)
    nominated = 0
    for appraisal_id in chosen[: policy.teladan.cap(len(chosen))]:
        async with sessions() as session:
            await teladan.nominate(
                session,
                sessions,
                hr,
                cycle_id,
                appraisal_id=appraisal_id,
                reason="kinerja terbaik tahun ini",
                policy=policy.teladan,
                now=now,
            )
        nominated += 1
    return nominated


def community_scores(
    policy: Policy, units: Iterable[str], score: Callable[[str], float]
) -> dict[str, float]:
    """The citizens' scores simulated HR records: one per unit that serves citizens under the
    policy (a back office takes none), none where the policy takes no community feedback."""
    if not policy.community.enabled:
        return {}
    return {u: score(u) for u in units if policy.community.serves_citizens(u)}
