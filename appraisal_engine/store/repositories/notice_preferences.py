"""Each person's notice preferences: read by the sender for the people it writes to, and by
the settings page; written by that page only."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from appraisal_engine.domain.notices import NoticePreferences
from appraisal_engine.store.models import NoticePreferencesRow
from appraisal_engine.store.repositories._rows import table_of, upsert

_preferences = table_of(NoticePreferencesRow)


async def preferences_of(
    session: AsyncSession, nips: Collection[str]
) -> dict[str, NoticePreferences]:
    """Each NIP's preferences; a person who never set any has the defaults (every notice at
    once, no quiet hours)."""
    if not nips:
        return {}
    rows = await session.execute(select(_preferences).where(_preferences.c.nip.in_(set(nips))))
    found = {
        row.nip: NoticePreferences(
            nip=row.nip, digest=row.digest, quiet_start=row.quiet_start, quiet_end=row.quiet_end
        )
        for row in rows
    }
    return {nip: found.get(nip) or NoticePreferences(nip=nip) for nip in nips}


async def get_preferences(session: AsyncSession, nip: str) -> NoticePreferences:
    """One person's preferences, the defaults when they set none."""
    return (await preferences_of(session, [nip]))[nip]


async def save_preferences(
    session: AsyncSession, preferences: NoticePreferences, at: datetime
) -> None:
    """Store a person's preferences, replacing what they had."""
    await upsert(session, _preferences, {**dict(preferences), "updated_at": at})
