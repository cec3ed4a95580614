"""Importing a roster file: validate everything, then store the snapshot in one transaction."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from appraisal_engine.domain.roster import Roster, parse_roster, validate_roster
from appraisal_engine.store.repositories.rosters import RosterSummary, store_roster


def check_roster_file(data: bytes, *, content_type: str | None = None) -> Roster:
    """Parse and validate; RosterInvalid lists every problem by row and column."""
    return validate_roster(parse_roster(data, content_type=content_type))


async def import_roster(
    sessions: async_sessionmaker[AsyncSession], org: str, roster: Roster
) -> RosterSummary:
    """Store a validated snapshot; the same contents again find the same roster."""
    async with sessions() as session, session.begin():
        return await store_roster(session, org, roster)
