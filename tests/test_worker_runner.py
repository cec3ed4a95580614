"""Workers run workflow code outside Temporal's sandbox unless WORKFLOW_SANDBOX says otherwise;
tests build theirs inside it (the default of build_worker), so the sandbox still checks every
workflow the suite runs."""

from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import UnsandboxedWorkflowRunner
from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner

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
