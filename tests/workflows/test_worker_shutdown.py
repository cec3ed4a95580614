"""A stopping worker lets the activities it runs finish before it cancels them: an activity's
write cancelled halfway through a statement can leave SQLite's write lock held."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio import activity, workflow
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from appraisal_engine.appraisal.worker import GRACEFUL_SHUTDOWN, WORKFLOWS, build_worker


class SlowStep:
    """An activity still running when the worker is told to stop: a write, drawn out."""

    def __init__(self, takes: timedelta) -> None:
        self.takes = takes
        self.started = asyncio.Event()
        self.finished = False
        self.cancelled = False

    @activity.defn(name="slow_step")
    async def slow_step(self) -> None:
        self.started.set()
        try:
            await asyncio.sleep(self.takes.total_seconds())
        except asyncio.CancelledError:
            self.cancelled = True
            raise
        self.finished = True


@workflow.defn(sandboxed=False)
class OneSlowStep:
    @workflow.run
    async def run(self) -> None:
        await workflow.execute_activity("slow_step", start_to_close_timeout=timedelta(minutes=1))


def worker_with(
    env: WorkflowEnvironment,
    sessions: async_sessionmaker[AsyncSession],
    step: SlowStep,
    graceful_shutdown: timedelta = GRACEFUL_SHUTDOWN,
) -> Worker:
    """The worker build_worker assembles, with the slow step and its workflow added."""
    queue = f"tq-{uuid.uuid4()}"
    return build_worker(
        env.client,
        queue,
        sessions,
        activities=[step.slow_step],
        workflows=[*WORKFLOWS, OneSlowStep],
        graceful_shutdown=graceful_shutdown,
    )


async def stop_during(env: WorkflowEnvironment, worker: Worker, step: SlowStep) -> None:
    """Start the workflow, and stop the worker once its activity runs."""
    async with worker:
        await env.client.start_workflow(
            OneSlowStep.run, id=f"slow-{uuid.uuid4()}", task_queue=worker.task_queue
        )
        await asyncio.wait_for(step.started.wait(), timeout=30)


async def test_a_stopping_worker_lets_a_running_activity_finish(
    env: WorkflowEnvironment, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    step = SlowStep(takes=timedelta(seconds=0.5))
    assert step.takes < GRACEFUL_SHUTDOWN
    await stop_during(env, worker_with(env, session_factory, step), step)
    assert step.finished and not step.cancelled


async def test_an_activity_past_the_grace_is_cancelled(
    env: WorkflowEnvironment, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    step = SlowStep(takes=timedelta(seconds=30))
    short = timedelta(seconds=0.2)
    await stop_during(env, worker_with(env, session_factory, step, graceful_shutdown=short), step)
    assert step.cancelled and not step.finished
