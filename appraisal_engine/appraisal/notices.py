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

log = logging.getLogger(__name__)


@contextlib.asynccontextmanager
async def notice_sender(
    sessions: async_sessionmaker[AsyncSession], config: NoticeConfig
) -> AsyncIterator[NoticeSender | None]:
    """Run the sender in the background for the block; None (and a log line) without SMTP."""
    if config.smtp is None:
        log.info("no SMTP_HOST: notices are kept in the outbox, none is e-mailed")
        yield None
        return
    sender = NoticeSender(
        sessions, SmtpChannel(config.smtp), config, Renderer(config, config.smtp.sender)
    )
    stop = asyncio.Event()
    running = asyncio.create_task(sender.run(stop))
    log.info("notice sender on, through %s:%d", config.smtp.host, config.smtp.port)
    try:
        yield sender
    finally:
        stop.set()
        await running
