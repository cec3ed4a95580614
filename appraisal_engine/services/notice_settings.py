"""A person's own notice preferences: the daily digest and quiet hours. Everyone signed in
reads and sets their own, and nobody else's: the NIP is always the caller's."""

from __future__ import annotations

from datetime import datetime, time

from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from appraisal_engine.domain.notices import NoticePreferences
from appraisal_engine.services.access import Caller
from appraisal_engine.services.errors import Invalid, Issue
from appraisal_engine.store.repositories.notice_preferences import (
    get_preferences,
    save_preferences,
)

QUIET_HOURS = "quiet hours need both a start and an end, at different times"


async def read(session: AsyncSession, me: Caller) -> NoticePreferences:
    """The caller's preferences (the defaults when they set none)."""
    return await get_preferences(session, me.nip)


async def save(
    session: AsyncSession,
    me: Caller,
    *,
    digest: bool,
    quiet_start: time | None,
    quiet_end: time | None,
    now: datetime,
) -> NoticePreferences:
    """Replace the caller's preferences; Invalid for half or empty quiet hours."""
    try:
        preferences = NoticePreferences(
            nip=me.nip, digest=digest, quiet_start=quiet_start, quiet_end=quiet_end
        )
    except ValidationError:
        raise Invalid(QUIET_HOURS, issues=[Issue(field="quiet_end", message=QUIET_HOURS)]) from None
    await save_preferences(session, preferences, now)
    return preferences
