"""A worker started with WORKER_METRICS_ADDRESS serves the SDK's metrics for Prometheus."""

from __future__ import annotations

import uuid

import httpx
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio.testing import WorkflowEnvironment

from appraisal_engine.appraisal.settings import Settings
from appraisal_engine.appraisal.worker import build_worker
from appraisal_engine.client.connect import connect_worker
from tests.ports import free_port


async def test_worker_metrics_are_served(
    dev_env: WorkflowEnvironment, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    address = f"127.0.0.1:{free_port()}"
    settings = Settings(
        temporal_address=dev_env.client.service_client.config.target_host,
        worker_metrics_address=address,
    )
    client = await connect_worker(settings)
    async with (
        build_worker(client, f"tq-{uuid.uuid4()}", session_factory),
        httpx.AsyncClient() as http,
    ):
        r = await http.get(f"http://{address}/metrics")
    assert r.status_code == 200
    assert "temporal_" in r.text  # the SDK's own series, e.g. pollers and slots
