"""The worker's sticky cache is bounded by WORKER_MAX_CACHED_WORKFLOWS, whatever the number of
appraisals waiting: the setting reaches the Worker that `appraisal worker` runs."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio.testing import WorkflowEnvironment

from appraisal_engine.appraisal import run_worker as run_worker_module
from appraisal_engine.appraisal.settings import Settings
from appraisal_engine.appraisal.worker import build_worker


def test_the_cache_size_is_a_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("WORKER_MAX_CACHED_WORKFLOWS", raising=False)
    assert Settings(_env_file=None).worker_max_cached_workflows == 1000
    monkeypatch.setenv("WORKER_MAX_CACHED_WORKFLOWS", "250")
    assert Settings(_env_file=None).worker_max_cached_workflows == 250
    monkeypatch.setenv("WORKER_MAX_CACHED_WORKFLOWS", "-1")
    with pytest.raises(ValueError, match="greater than or equal to 0"):
        Settings(_env_file=None)


async def test_build_worker_bounds_the_cache(
    dev_env: WorkflowEnvironment, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    default = build_worker(dev_env.client, "tq-cache-default", session_factory)
    small = build_worker(dev_env.client, "tq-cache-small", session_factory, max_cached_workflows=7)
    assert default.config()["max_cached_workflows"] == 1000
    assert small.config()["max_cached_workflows"] == 7


class _Built(Exception):
    """Raised by the stand-in for build_worker once it has seen its arguments."""


async def test_run_worker_passes_the_setting(
    dev_env: WorkflowEnvironment, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: dict[str, Any] = {}

    async def connect(_: Settings) -> object:
        return dev_env.client

    def build(*args: Any, **kwargs: Any) -> None:
        seen.update(kwargs)
        raise _Built

    monkeypatch.setattr(run_worker_module, "connect_worker", connect)
    monkeypatch.setattr(run_worker_module, "build_worker", build)
    settings = Settings(
        _env_file=None,
        database_url="sqlite+aiosqlite:///:memory:",
        worker_max_cached_workflows=123,
        notice_sender=False,
    )
    with pytest.raises(_Built):
        await run_worker_module.run_worker(settings)
    assert seen["max_cached_workflows"] == 123
