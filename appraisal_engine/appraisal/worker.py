"""Assemble a worker: the workflows and every activity with its dependencies injected."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio.client import Client
from temporalio.worker import UnsandboxedWorkflowRunner, Worker

from appraisal_engine.activities.calibration import CalibrationActivities
from appraisal_engine.activities.cascade import CascadeActivities
from appraisal_engine.activities.launch import LaunchActivities
from appraisal_engine.activities.notify import LoggingNotifier, Notifier, NotifyActivities
from appraisal_engine.activities.read_model import ReadModelActivities
from appraisal_engine.activities.rosters import RosterCache
from appraisal_engine.activities.yearly import YearlyActivities
from appraisal_engine.workflows.appraisal.workflow import AppraisalWorkflow
from appraisal_engine.workflows.cycle import CycleWorkflow
from appraisal_engine.workflows.yearly import YearlyLaunchWorkflow

WORKFLOWS: list[type] = [AppraisalWorkflow, CycleWorkflow, YearlyLaunchWorkflow]

# How long a stopping worker lets its running activities finish before it cancels them.
GRACEFUL_SHUTDOWN = timedelta(seconds=10)


def activities_for(
    client: Client,
    session_factory: async_sessionmaker[AsyncSession],
    notifier: Notifier | None = None,
    *,
    task_queue: str = "appraisal",
) -> list[Callable[..., Any]]:
    """Every activity, bound to its dependencies; appraisals start on `task_queue`."""
    store = ReadModelActivities(session_factory)
    notices = NotifyActivities(session_factory, notifier or LoggingNotifier())
    cascade = CascadeActivities(client)
    rosters = RosterCache(session_factory)
    launch = LaunchActivities(client, session_factory, task_queue, rosters)
    calibration = CalibrationActivities(client, session_factory, rosters)
    yearly = YearlyActivities(client, session_factory, task_queue)
    return [
        launch.plan_launch,
        launch.launch_batch,
        calibration.unit_grades,
        calibration.release_unit,
        calibration.broadcast_community,
        yearly.cycle_summary,
        yearly.launch_cycle,
        store.upsert_task,
        store.sync_appraisal,
        store.record_outcome,
        store.record_plan,
        store.match_mentor,
        store.append_audit,
        store.project_step,
        notices.notify,
        cascade.cascade_targets,
    ]


def build_worker(
    client: Client,
    task_queue: str,
    session_factory: async_sessionmaker[AsyncSession],
    *,
    notifier: Notifier | None = None,
    activities: Sequence[Callable[..., Any]] | None = None,
    sandboxed: bool = True,
    max_cached_workflows: int = 1000,
    graceful_shutdown: timedelta = GRACEFUL_SHUTDOWN,
    workflows: Sequence[type] = WORKFLOWS,
) -> Worker:
    """A worker for the appraisal task queue, running `workflows` (the engine's own).

    `sandboxed` runs workflow code in Temporal's sandbox, which re-imports each workflow's
    module for every run so that non-deterministic calls fail loudly: about 12 ms of worker CPU
    per new workflow run (see docs/benchmarks.md). Tests and history replays always use
    it; production workers skip it unless Settings.workflow_sandbox says otherwise.

    `max_cached_workflows` bounds the runs kept in memory between their tasks (the SDK's
    default, 1000, unless Settings.worker_max_cached_workflows says otherwise): the worker's
    memory follows it, not the number of appraisals waiting.

    `graceful_shutdown` is how long a stopping worker lets its running activities finish
    before it cancels them. An activity's write is a few milliseconds, and one cancelled
    halfway through a statement can leave the statement's SQLite connection holding the write
    lock (the driver runs the statement on after the cancelled caller has given up the
    connection), so every later write of the process waits out the busy timeout and fails."""
    extra: dict[str, Any] = {} if sandboxed else {"workflow_runner": UnsandboxedWorkflowRunner()}
    return Worker(
        client,
        task_queue=task_queue,
        workflows=list(workflows),
        max_cached_workflows=max_cached_workflows,
        graceful_shutdown_timeout=graceful_shutdown,
        **extra,
        activities=list(
            activities or activities_for(client, session_factory, notifier, task_queue=task_queue)
        ),
    )
