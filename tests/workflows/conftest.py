"""Workflow fixtures: a fresh worker and task queue per test on the run's servers."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment

from appraisal_engine.activities.notify import LoggingNotifier
from appraisal_engine.appraisal.worker import build_worker
from appraisal_engine.domain.records import MentorStatus
from appraisal_engine.simulator.scripted import MENTOR
from appraisal_engine.store.models import OutcomeRow


@dataclass
class Running:
    """A worker running for one test."""

    env: WorkflowEnvironment
    client: Client
    task_queue: str
    notifier: LoggingNotifier
    sessions: async_sessionmaker[AsyncSession]


async def free_the_shared_mentor(sessions: async_sessionmaker[AsyncSession]) -> None:
    """End the mentorships a test left the seeded unit's mentor with. A mentor's load counts
    across the database, and the tests of one process share one: a year that ended with the
    mentor booked would leave the next test's employee with nobody to offer."""
    booked = (MentorStatus.OFFERED.value, MentorStatus.ACTIVE.value)
    async with sessions() as session, session.begin():
        await session.execute(
            update(OutcomeRow)
            .where(OutcomeRow.mentor_nip == MENTOR, OutcomeRow.mentor_status.in_(booked))
            .values(mentor_status=MentorStatus.DECLINED.value)
        )


@pytest.fixture
async def running(
    env: WorkflowEnvironment, session_factory: async_sessionmaker[AsyncSession]
) -> AsyncIterator[Running]:
    """A worker with the real activities on the test database, on its own task queue."""
    queue = f"tq-{uuid.uuid4()}"
    notifier = LoggingNotifier()
    worker = build_worker(env.client, queue, session_factory, notifier=notifier)
    async with worker:
        yield Running(env, env.client, queue, notifier, session_factory)
    await free_the_shared_mentor(session_factory)


@pytest.fixture
async def running_dev(
    dev_env: WorkflowEnvironment, session_factory: async_sessionmaker[AsyncSession]
) -> AsyncIterator[Running]:
    """A worker on the dev server, on its own task queue."""
    queue = f"tq-{uuid.uuid4()}"
    notifier = LoggingNotifier()
    async with build_worker(dev_env.client, queue, session_factory, notifier=notifier):
        yield Running(dev_env, dev_env.client, queue, notifier, session_factory)
    await free_the_shared_mentor(session_factory)
