"""Roster snapshots: HR uploads the city's roster, stored only when all of it is valid; HR and
auditors read it back."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from appraisal_engine.domain.employee import Employee
from appraisal_engine.domain.roster import RosterInvalid, parse_roster, validate_roster
from appraisal_engine.services.access import Caller, require_hr, require_reader
from appraisal_engine.services.errors import Conflict, Invalid, Issue, NotFound
from appraisal_engine.store.db import WRITER
from appraisal_engine.store.repositories.rosters import (
    RosterConflictError,
    RosterSummary,
    get_roster,
    list_employees,
    store_roster,
)


def is_json(content_type: str | None, filename: str | None) -> bool:
    """Whether an uploaded roster file is JSON (by its type or its name); CSV otherwise."""
    return (content_type or "").endswith("json") or (filename or "").endswith(".json")


async def upload(
    session: AsyncSession, who: Caller, org: str, data: bytes, *, is_json: bool
) -> RosterSummary:
    """HR validates and stores a roster snapshot (CSV, or JSON when `is_json`); Invalid lists
    every problem by row and column."""
    require_hr(who)
    try:
        roster = validate_roster(parse_roster(data, content_type="json" if is_json else None))
    except RosterInvalid as e:
        issues = [
            Issue(field=err.field or "file", message=err.message, row=err.row, wording=err.wording)
            for err in e.errors
        ]
        raise Invalid(
            str(e), code="RosterInvalid", issues=issues, within=None, wording=e.wording
        ) from None
    # It reads whether the snapshot exists, then writes: a writer from the start (SQLite).
    await session.connection(execution_options=WRITER)
    try:
        return await store_roster(session, org, roster)
    except RosterConflictError as e:
        raise Conflict(str(e)) from None


async def read(session: AsyncSession, who: Caller, roster_id: str) -> RosterSummary:
    """A stored roster snapshot's summary, for HR and auditors."""
    require_reader(who)
    found = await get_roster(session, roster_id)
    if found is None:
        raise NotFound("roster")
    return found


async def employees(
    session: AsyncSession, who: Caller, roster_id: str, *, limit: int, offset: int = 0
) -> list[Employee]:
    """A stored snapshot's employees by NIP, their text exactly as uploaded, for HR and
    auditors."""
    await read(session, who, roster_id)
    return await list_employees(session, roster_id, limit=limit, offset=offset)
