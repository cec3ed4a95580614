"""Run a worker process until interrupted."""

from __future__ import annotations

import logging

from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter

from appraisal.settings import Settings
from appraisal.worker import build_worker
from store.db import make_engine, make_session_factory


async def run_worker(settings: Settings) -> None:
    """Connect, assemble, and poll the task queue until cancelled."""
    logging.basicConfig(level=logging.INFO)
    client = await Client.connect(
        settings.temporal_address,
        namespace=settings.temporal_namespace,
        data_converter=pydantic_data_converter,
    )
    engine = make_engine(settings.database_url)
    try:
        await build_worker(client, settings.task_queue, make_session_factory(engine)).run()
    finally:
        await engine.dispose()
