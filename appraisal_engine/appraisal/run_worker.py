"""Run a worker process until interrupted."""

from __future__ import annotations

import logging

from appraisal_engine.appraisal.collector import tidied_after_work, tune_collector
from appraisal_engine.appraisal.notices import notice_sender
from appraisal_engine.appraisal.settings import Settings
from appraisal_engine.appraisal.worker import build_worker
from appraisal_engine.client.connect import connect_worker
from appraisal_engine.store.db import make_engine, make_session_factory


async def run_worker(settings: Settings) -> None:
    """Connect, assemble, and poll the task queue until cancelled; the notice sender runs
    beside it unless NOTICE_SENDER is off."""
    logging.basicConfig(level=logging.INFO)
    notices = settings.notice_config()
    client = await connect_worker(settings)
    if settings.worker_metrics_address:
        logging.getLogger(__name__).info(
            "worker metrics at http://%s/metrics", settings.worker_metrics_address
        )
    engine = make_engine(settings.database_url)
    try:
        sessions = make_session_factory(engine)
        worker = build_worker(
            client,
            settings.task_queue,
            sessions,
            sandboxed=settings.workflow_sandbox,
            max_cached_workflows=settings.worker_max_cached_workflows,
        )
        tune_collector()
        async with tidied_after_work(settings.worker_tidy_every_seconds):
            if not settings.notice_sender:
                await worker.run()
                return
            async with notice_sender(sessions, notices):
                await worker.run()
    finally:
        await engine.dispose()
