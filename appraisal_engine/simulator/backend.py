"""What a simulation runs on, handed to it by the application that assembles the engine: the
time-skipping server and the worker, both built outside the simulator."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from appraisal_engine.activities.notify import Notifier


class WorkerFactory(Protocol):
    """A worker for the workflows and activities on `task_queue`, sending notices to `notifier`."""

    def __call__(
        self,
        client: Client,
        task_queue: str,
        session_factory: async_sessionmaker[AsyncSession],
        /,
        *,
        notifier: Notifier,
    ) -> Worker: ...


@dataclass(frozen=True)
class Backend:
    """How to start a time-skipping server (search attributes registered) and build a worker."""

    start_server: Callable[[], Awaitable[WorkflowEnvironment]]
    worker: WorkerFactory
