"""Run a worker process until interrupted."""

from __future__ import annotations

import logging

from appraisal.clients import connect, metrics_runtime
from appraisal.settings import Settings
from appraisal.worker import build_worker
from store.db import make_engine, make_session_factory


async def run_worker(settings: Settings) -> None:
    """Connect, assemble, and poll the task queue until cancelled."""
    logging.basicConfig(level=logging.INFO)
    address = settings.worker_metrics_address
    client = await connect(settings, runtime=metrics_runtime(address) if address else None)
    if address:
        logging.getLogger(__name__).info("worker metrics at http://%s/metrics", address)
    engine = make_engine(settings.database_url)
    try:
        await build_worker(client, settings.task_queue, make_session_factory(engine)).run()
    finally:
        await engine.dispose()
