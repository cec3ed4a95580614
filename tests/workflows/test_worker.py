"""The worker registers exactly the activities the workflows call by name."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio.activity import _Definition
from temporalio.testing import WorkflowEnvironment

from appraisal_engine.appraisal.worker import activities_for
from appraisal_engine.workflows.io import ACTIVITY_NAMES


async def test_every_called_activity_is_registered(
    env: WorkflowEnvironment, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    registered = set()
    for fn in activities_for(env.client, session_factory):
        definition = _Definition.from_callable(fn)
        assert definition is not None and definition.name is not None
        registered.add(definition.name)
    assert registered == ACTIVITY_NAMES
