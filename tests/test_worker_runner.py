"""Workers run workflow code outside Temporal's sandbox unless WORKFLOW_SANDBOX says otherwise;
tests build theirs inside it (the default of build_worker), so the sandbox still checks every
workflow the suite runs."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import UnsandboxedWorkflowRunner
from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner

import appraisal_engine.appraisal.run_worker as run_worker_module
from appraisal_engine.appraisal.run_worker import run_worker
from appraisal_engine.appraisal.settings import Settings
from appraisal_engine.appraisal.worker import build_worker


def test_production_workers_skip_the_sandbox_unless_told(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("WORKFLOW_SANDBOX", raising=False)
    assert Settings(_env_file=None).workflow_sandbox is False
    monkeypatch.setenv("WORKFLOW_SANDBOX", "true")
    assert Settings(_env_file=None).workflow_sandbox is True


async def test_build_worker_chooses_the_runner(
    dev_env: WorkflowEnvironment, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    inside = build_worker(dev_env.client, "tq-runner-in", session_factory)
    outside = build_worker(dev_env.client, "tq-runner-out", session_factory, sandboxed=False)
    assert isinstance(inside.config()["workflow_runner"], SandboxedWorkflowRunner)
    assert isinstance(outside.config()["workflow_runner"], UnsandboxedWorkflowRunner)


async def test_the_worker_process_tunes_its_collector_and_tidies_as_often_as_set_while_it_runs(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    events: list[str] = []

    @asynccontextmanager
    async def tidied_after_work(every: float) -> AsyncIterator[None]:
        events.append(f"tidying every {every} s")
        try:
            yield
        finally:
            events.append("stopped tidying")

    class Polling:
        async def run(self) -> None:
            events.append("worker ran")

    async def connect_worker(settings: Settings) -> object:
        return object()

    monkeypatch.setattr(run_worker_module, "connect_worker", connect_worker)
    monkeypatch.setattr(run_worker_module, "build_worker", lambda *a, **k: Polling())
    monkeypatch.setattr(run_worker_module, "tidied_after_work", tidied_after_work)
    monkeypatch.setattr(run_worker_module, "tune_collector", lambda: events.append("tuned"))
    settings = Settings(
        _env_file=None,
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'worker.db'}",
        notice_sender=False,
        worker_tidy_every_seconds=7,
    )
    await run_worker(settings)
    assert events == ["tuned", "tidying every 7.0 s", "worker ran", "stopped tidying"]
