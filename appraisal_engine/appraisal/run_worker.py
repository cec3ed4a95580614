"""Run a worker process until interrupted."""

from __future__ import annotations

import logging

from appraisal_engine.appraisal.settings import Settings
from appraisal_engine.appraisal.worker import build_worker
from appraisal_engine.client.connect import connect_worker
from appraisal_engine.store.db import make_engine, make_session_factory


async def run_worker(settings: Settings) -> None:
    """Connect, assemble, and poll the task queue until cancelled."""
    logging.basicConfig(level=logging.INFO)
    client = await connect_worker(settings)
    if settings.worker_metrics_address:
        logging.getLogger(__name__).info(
            "worker metrics at http://%s/metrics", settings.worker_metrics_address
        )
    engine = make_engine(settings.database_url)
    try:
        sessions = make_session_factory(engine)
        worker = build_worker(
            client, settings.task_queue, sessions, sandboxed=settings.workflow_sandbox
        )
        await worker.run()
    finally:
        await engine.dispose()
