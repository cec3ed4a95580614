"""Record the committed replay histories: one complete year per preset, on the real dev server.

Run after a deliberate, patched workflow change only, naming the scenarios to add (all when
none are named: cycle, timers, timers-zoned, reassigned, mentor-rules, indicators, or a preset
name):
    python -m tests.workflows.record_histories cycle
Each file is named after its workflow id (task ids derive from it) and holds what
`temporal workflow show --output json` prints for that run. The preset years run on the real dev
server: the year starts a year ago, so every report period is already due, and the employee
appeals at once, so nothing waits on a long timer. The paths that need timers to fire (reminders,
escalation, fallbacks) and the HR operations run under time-skipping."""

from __future__ import annotations

import asyncio
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from temporalio.client import WorkflowHandle

from appraisal_engine.activities.notify import LoggingNotifier
from appraisal_engine.appraisal.servers import start_dev_server, start_time_skipping
from appraisal_engine.appraisal.worker import build_worker
from appraisal_engine.client.starters import launch_cycle
from appraisal_engine.domain.indicators import PeriodIndicators
from appraisal_engine.domain.policy import Policy
from appraisal_engine.domain.presets import NATIONAL, PRESETS
from appraisal_engine.domain.ratings import Rating
from appraisal_engine.domain.stages import Stage
from appraisal_engine.domain.tasks import TaskKind
from appraisal_engine.simulator.roster import generate_roster
from appraisal_engine.store.db import make_engine, make_session_factory
from appraisal_engine.store.migrate import upgrade
from appraisal_engine.workflows.appraisal.workflow import AppraisalWorkflow
from appraisal_engine.workflows.messages import (
    AppraisalState,
    CancelInput,
    FileAppealInput,
    ReassignInput,
)
from tests.workflows.conftest import Running
from tests.workflows.cycle_driver import POLICY as CYCLE_POLICY
from tests.workflows.cycle_driver import drive_cycle, store_roster
from tests.workflows.driver import (
    EMPLOYEE,
    SUPERVISOR,
    Actors,
    Handle,
    appraisal_input,
    drive,
    nip,
    seed_unit,
)


async def poll(running: Running, state: AppraisalState) -> None:
    """Real time passes on the dev server: just look again shortly."""
    await asyncio.sleep(0.05)


HISTORIES = Path(__file__).resolve().parent.parent / "histories"


async def record(only: set[str]) -> None:
    """Record the preset years and a small cycle on the dev server, and the timer paths under
    time-skipping; `only` names the scenarios to record (all when empty)."""

    def wanted(name: str) -> bool:
        return not only or name in only

    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite+aiosqlite:///{tmp}/record.db"
        await upgrade(url)
        engine = make_engine(url)
        sessions = make_session_factory(engine)
        try:
            env = await start_dev_server()
            try:
                if wanted("cycle"):
                    await _small_cycle(
                        Running(env, env.client, "record-cycle", LoggingNotifier(), sessions)
                    )
                for name, policy in PRESETS.items():
                    if not wanted(name):
                        continue
                    await _preset_year(
                        Running(env, env.client, f"record-{name}", LoggingNotifier(), sessions),
                        name,
                        policy,
                    )
                if wanted("mentor-rules"):
                    # Wanggar's year since its mentors are experienced leaders (patch
                    # "mentor-rules"); its first file was recorded before.
                    await _preset_year(
                        Running(env, env.client, "record-mentor", LoggingNotifier(), sessions),
                        "mentor-rules",
                        PRESETS["wanggar"],
                    )
            finally:
                await env.shutdown()
            env = await start_time_skipping()
            try:
                running = Running(env, env.client, "record-paths", LoggingNotifier(), sessions)
                if wanted("timers"):
                    await _timer_paths(running, "appraisal-history-timers")
                if wanted("timers-zoned"):
                    # Since the zoned-calendar patch, the same paths on the organisation's days.
                    await _timer_paths(running, "appraisal-history-timers-zoned")
                if wanted("reassigned"):
                    await _reassigned_then_cancelled(running)
                if wanted("indicators"):
                    await _indicators_without_a_report(running)
            finally:
                await env.shutdown()
        finally:
            await engine.dispose()


async def _save(handle: WorkflowHandle[Any, Any]) -> None:
    history = await handle.fetch_history()
    (HISTORIES / f"{handle.id}.json").write_text(history.to_json())
    print(f"{handle.id}: {len(history.events)} events")


async def _preset_year(running: Running, name: str, policy: Policy) -> None:
    """A year that started a year ago, with an appeal filed at once: no long timer fires."""
    roster = f"roster-{name}"
    await seed_unit(running, roster)
    async with build_worker(running.client, running.task_queue, running.sessions):
        handle: Handle = await running.client.start_workflow(
            AppraisalWorkflow.run,
            appraisal_input(
                policy,
                roster_id=roster,
                community_score=4.2,
                year_start=datetime.now(UTC) - timedelta(days=366),
            ),
            id=f"appraisal-history-{name}",
            task_queue=running.task_queue,
        )
        below = name in ("wanggar", "mentor-rules")  # through mentorship
        actors = Actors(policy, results=Rating.BELOW if below else Rating.MEETS)
        await drive(running, handle, actors, idle=poll, until=lambda s: s.stage is Stage.APPEAL)
        await handle.execute_update(
            AppraisalWorkflow.file_appeal,
            FileAppealInput(actor_nip=EMPLOYEE, reason="Bukti dukung triwulan IV belum dinilai"),
        )
        await drive(running, handle, actors, idle=poll)
        await handle.result()
    await _save(handle)


# The year of the recorded cycle. Each year's files stay once committed: 2025's were recorded
# before a launch stored its appraisals' opening rows, 2026's after, 2027's once a launch
# kept two batches in flight (patch "launch-overlapped"), 2028's once the unit's rating was
# proposed by HR and decided by its official (patch "unit-rated-by-official"), and 2029's once
# the appeal window opened before the stage was reported to the cycle (patch
# "appeal-opens-with-stage").
CYCLE_YEAR = 2029


async def _small_cycle(running: Running) -> None:
    """A whole cycle of a small office: launch, every task, calibration refused then fixed,
    appraisals reporting to the cycle, the closing summary."""
    employees = generate_roster(12, units=1, seed=11)
    roster_id = await store_roster(running, employees)
    async with build_worker(running.client, running.task_queue, running.sessions):
        cycle = await launch_cycle(
            running.client,
            org="history",
            year=CYCLE_YEAR,
            roster_id=roster_id,
            policy=CYCLE_POLICY,
            task_queue=running.task_queue,
            year_start=datetime.now(UTC) - timedelta(days=366),
            batch_size=5,
        )
        await drive_cycle(running, cycle, f"history-{CYCLE_YEAR}", {})
        await cycle.result()
        await _save(cycle)
        head = next(e for e in employees if e.supervisor_nip is None)
        await _save(
            running.client.get_workflow_handle(f"appraisal-history-{CYCLE_YEAR}-{head.nip}")
        )


async def _timer_paths(running: Running, workflow_id: str) -> None:
    """Reminders, an approval escalated to the superior, a report recorded missing, the appeal
    window closing unused, a mentor declining and no other found: coaching."""
    roster = f"roster-{workflow_id.removeprefix('appraisal-history-')}"
    await seed_unit(running, roster)
    actors = Actors(NATIONAL, results=Rating.BELOW, accept_mentorship=False)
    actors.skip = lambda t: (
        (t.kind is TaskKind.TARGETS_APPROVE and t.assignee_nip == SUPERVISOR)
        or (t.kind is TaskKind.SELF_REPORT and t.period == 2)
    )
    async with build_worker(running.client, running.task_queue, running.sessions):
        handle: Handle = await running.client.start_workflow(
            AppraisalWorkflow.run,
            appraisal_input(NATIONAL, roster_id=roster),
            id=workflow_id,
            task_queue=running.task_queue,
        )
        await drive(running, handle, actors)
        await handle.result()
    await _save(handle)


async def _reassigned_then_cancelled(running: Running) -> None:
    """A review moved by a reassignment, completed, then the appraisal cancelled in its appeal
    window."""
    actors = Actors(NATIONAL)
    actors.skip = lambda t: t.kind is TaskKind.REVIEW and t.assignee_nip == SUPERVISOR
    async with build_worker(running.client, running.task_queue, running.sessions):
        handle: Handle = await running.client.start_workflow(
            AppraisalWorkflow.run,
            appraisal_input(NATIONAL),
            id="appraisal-history-reassigned",
            task_queue=running.task_queue,
        )
        await drive(running, handle, actors, until=lambda s: s.stage is Stage.REVIEW)
        await handle.execute_update(
            AppraisalWorkflow.reassign,
            ReassignInput(actor_nip=nip(99), supervisor_nip=nip(30), reason="mutasi"),
        )
        await drive(running, handle, actors, until=lambda s: s.stage is Stage.APPEAL)
        await handle.execute_update(
            AppraisalWorkflow.cancel,
            CancelInput(actor_nip=nip(99), reason="pindah ke instansi lain"),
        )
        await handle.result()
    await _save(handle)


async def _indicators_without_a_report(running: Running) -> None:
    """Tanjungbalai's monthly discipline and attendance: month 3's report missed, its feedback
    asked all the same (patch "monthly-indicators"); month 5's feedback missed; the standards
    below, so the results are below and the outcome coaching."""
    roster = "roster-indicators"
    await seed_unit(running, roster)
    policy = PRESETS["tanjungbalai"]
    poor = PeriodIndicators(attendance=90, discipline_breaches=1)
    actors = Actors(policy, results=Rating.ABOVE, behaviour=Rating.ABOVE, indicators=poor)
    actors.skip = lambda t: (
        (t.kind is TaskKind.SELF_REPORT and t.period == 3)
        or (t.kind is TaskKind.FEEDBACK and t.period == 5)
    )
    async with build_worker(running.client, running.task_queue, running.sessions):
        handle: Handle = await running.client.start_workflow(
            AppraisalWorkflow.run,
            appraisal_input(policy, roster_id=roster),
            id="appraisal-history-indicators",
            task_queue=running.task_queue,
        )
        await drive(running, handle, actors)
        await handle.result()
    await _save(handle)


if __name__ == "__main__":
    asyncio.run(record(set(sys.argv[1:])))
