"""The caller's own notices as the web app shows them: the unread count, newest first, and
marking them read. Nobody reads another person's notices, whatever their roles."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from appraisal_engine.domain.notices import Notice
from appraisal_engine.services.access import Caller
from appraisal_engine.services.errors import NotFound
from appraisal_engine.store.repositories import notices


async def unread_count(session: AsyncSession, who: Caller) -> int:
    """How many of the caller's notices are unread."""
    return await notices.count_unread(session, who.nip)


async def list_mine(session: AsyncSession, who: Caller, *, offset: int, limit: int) -> list[Notice]:
    """The caller's notices, newest first, whatever became of their e-mail."""
    return await notices.page_of(session, who.nip, offset=offset, limit=limit)


async def open_notice(session: AsyncSession, who: Caller, notice_id: str, now: datetime) -> Notice:
    """The caller's notice, marked read; NotFound alike for missing and another's."""
    found = await notices.get_notice(session, notice_id)
    if found is None or found.recipient_nip != who.nip:
        raise NotFound("notice")
    await notices.mark_read(session, notice_id, who.nip, now)
    return found


async def read_all(session: AsyncSession, who: Caller, now: datetime, *, seen: datetime) -> None:
    """Mark read every notice of the caller written by `seen` (when their list was shown)."""
    await notices.mark_all_read(session, who.nip, now, created_by=min(seen, now))
