"""Fanning out from one activity to many workflows: bounded concurrency, heartbeats as the work
goes on, and one rule for a workflow that is not there to signal."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Iterable
from contextlib import asynccontextmanager
from typing import Any, TypeVar

from temporalio import activity
from temporalio.client import Client, WorkflowExecutionStatus
from temporalio.exceptions import ApplicationError
from temporalio.service import RPCError, RPCStatusCode
from temporalio.types import MethodSyncOrAsyncSingleParam

NOT_STARTED = "WorkflowNotStarted"

T = TypeVar("T")
M = TypeVar("M")


async def bounded(jobs: Iterable[Awaitable[T]], gate: asyncio.Semaphore) -> list[T]:
    """Run jobs at most `gate` at a time, heartbeating as each finishes; results in order."""

    async def run(job: Awaitable[T]) -> T:
        async with gate:
            done = await job
        if activity.in_activity():
            activity.heartbeat()
        return done

    return list(await asyncio.gather(*(run(j) for j in jobs)))


@asynccontextmanager
async def heartbeating(seconds: float) -> AsyncIterator[None]:
    """Heartbeat every `seconds` while the block runs (the SDK sends at most one per throttle
    interval of them)."""

    async def beat() -> None:
        while True:
            if activity.in_activity():
                activity.heartbeat()
            await asyncio.sleep(seconds)

    beating = asyncio.create_task(beat())
    try:
        yield
    finally:
        beating.cancel()


async def signal_each(
    client: Client,
    signal: MethodSyncOrAsyncSingleParam[Any, M, None],
    messages: Iterable[tuple[str, M]],
    *,
    concurrency: int,
) -> int:
    """Send each workflow id its message through the typed `signal` method; how many took it.

    A workflow that has closed is skipped: it waits for nothing any more (a cancelled
    appraisal takes no targets, score or grade). One that Temporal does not know yet fails the
    attempt, once all the others are signalled, so that the activity retries: every id comes
    from a cycle's roster, and its appraisal may still be on its way while a large launch goes
    on; a signal is never dropped for a workflow still to come. Signals are idempotent where
    they are received, so a retry sending them to the others again is harmless."""
    delivered = await bounded(
        (_signal(client, workflow_id, signal, msg) for workflow_id, msg in messages),
        asyncio.Semaphore(concurrency),
    )
    missing = delivered.count(None)
    if missing:
        raise ApplicationError(f"{missing} workflows not started yet", type=NOT_STARTED)
    return delivered.count(True)


async def _signal(
    client: Client, workflow_id: str, signal: MethodSyncOrAsyncSingleParam[Any, M, None], msg: M
) -> bool | None:
    """True when signalled, False when the workflow has closed, None when it is not there."""
    handle = client.get_workflow_handle(workflow_id)
    try:
        await handle.signal(signal, msg)
        return True
    except RPCError as e:
        if e.status is not RPCStatusCode.NOT_FOUND:
            raise
    # NOT_FOUND stands both for a closed run and for an id not started: ask which.
    try:
        status = (await handle.describe()).status
    except RPCError as e:
        if e.status is not RPCStatusCode.NOT_FOUND:
            raise
        return None
    # Running now means it started after the signal failed: the retry reaches it.
    return None if status is WorkflowExecutionStatus.RUNNING else False
