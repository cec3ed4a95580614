"""The notice sender beside a worker: started with it, stopped with it.

It runs in the worker process rather than as a command of its own: every deployment already
runs workers, with the database at hand, and several senders are safe together (each claims
its notices under a lease, with SKIP LOCKED on PostgreSQL), so scaling workers scales the
sender too. NOTICE_SENDER=false leaves it out of a worker."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from appraisal_engine.notices.config import NoticeConfig
from appraisal_engine.notices.render import Renderer
from appraisal_engine.notices.sender import NoticeSender
from appraisal_engine.notices.smtp import SmtpChannel
from appraisal_engine.notices.webhook import WebhookChannel

log = logging.getLogger(__name__)


@contextlib.asynccontextmanager
async def notice_sender(
    sessions: async_sessionmaker[AsyncSession], config: NoticeConfig
) -> AsyncIterator[NoticeSender | None]:
    """Run the sender in the background for the block; None (and a log line) with neither SMTP
    nor a webhook."""
    if config.smtp is None and config.webhook is None:
        log.info("no SMTP_HOST nor WEBHOOK_URL: notices are kept in the outbox, none is sent")
        yield None
        return
    smtp = config.smtp
    sender = NoticeSender(
        sessions,
        SmtpChannel(smtp) if smtp else None,
        config,
        Renderer(config, smtp.sender if smtp else "penilaian@appraisal.invalid"),
        webhook=WebhookChannel(config.webhook) if config.webhook else None,
    )
    stop = asyncio.Event()
    running = asyncio.create_task(sender.run(stop))
    if smtp:
        log.info("notice sender on, e-mail through %s:%d", smtp.host, smtp.port)
    if config.webhook:
        log.info("notice sender on, chat messages through the webhook")
    try:
        yield sender
    finally:
        stop.set()
        await running
