"""Importing a validated roster: the snapshot stored in one transaction."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from appraisal_engine.domain.roster import Roster
from appraisal_engine.store.db import WRITER
from appraisal_engine.store.repositories.rosters import RosterSummary, store_roster


async def import_roster(
    sessions: async_sessionmaker[AsyncSession], org: str, roster: Roster
) -> RosterSummary:
    """Store a validated snapshot; the same contents again find the same roster."""
    async with sessions() as session, session.begin():
        await session.connection(execution_options=WRITER)  # it reads whether it exists first
        return await store_roster(session, org, roster)
