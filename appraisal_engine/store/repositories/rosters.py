"""Roster snapshots: the employees of an organisation as uploaded for a cycle."""

from __future__ import annotations

from collections.abc import Collection
from datetime import UTC, datetime

from sqlalchemy import insert, select
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncSession

from appraisal_engine.domain.employee import Employee
from appraisal_engine.domain.model import Value
from appraisal_engine.domain.roster import Roster
from appraisal_engine.store.models import EmployeeRow, RosterRow
from appraisal_engine.store.repositories._rows import row_values, table_of

_rosters = table_of(RosterRow)
_employees = table_of(EmployeeRow)


class RosterSummary(Value):
    """A stored roster snapshot without its employees."""

    id: str
    org: str
    created_at: datetime
    employee_count: int
    checksum: str


class RosterConflictError(ValueError):
    """A roster id is already stored with different contents."""


async def add_roster(
    session: AsyncSession,
    roster_id: str,
    org: str,
    employees: list[Employee],
    checksum: str,
    *,
    created_at: datetime | None = None,
) -> RosterSummary:
    """Store a roster snapshot; adding the same id and checksum again writes nothing."""
    existing = await get_roster(session, roster_id)
    if existing is not None:
        if existing.checksum != checksum or existing.org != org:
            raise RosterConflictError(f"roster {roster_id} exists with other contents")
        return existing
    summary = RosterSummary(
        id=roster_id,
        org=org,
        created_at=created_at or datetime.now(UTC),
        employee_count=len(employees),
        checksum=checksum,
    )
    await session.execute(insert(_rosters).values(row_values(summary)))
    if employees:
        rows = [{"roster_id": roster_id, **row_values(employee)} for employee in employees]
        await session.execute(insert(_employees), rows)
    return summary


async def store_roster(session: AsyncSession, org: str, roster: Roster) -> RosterSummary:
    """Store a validated snapshot under an id derived from its contents: the same file again
    finds the same roster."""
    roster_id = f"{org}-{roster.checksum[:16]}"
    return await add_roster(session, roster_id, org, roster.employees, roster.checksum)


async def get_roster(session: AsyncSession, roster_id: str) -> RosterSummary | None:
    """A roster snapshot's summary by id."""
    row = (await session.execute(select(_rosters).where(_rosters.c.id == roster_id))).first()
    return None if row is None else RosterSummary.model_validate(dict(row._mapping))


async def get_employee(session: AsyncSession, roster_id: str, nip: str) -> Employee | None:
    """One employee of a roster snapshot."""
    query = select(_employees).where(_employees.c.roster_id == roster_id, _employees.c.nip == nip)
    row = (await session.execute(query)).first()
    return None if row is None else _employee(row._mapping)


async def list_employees(
    session: AsyncSession,
    roster_id: str,
    unit_code: str | None = None,
    *,
    limit: int | None = None,
    offset: int = 0,
) -> list[Employee]:
    """A roster's employees, optionally of one unit, ordered by NIP; all of them, or the page
    of `limit` from `offset`."""
    query = select(_employees).where(_employees.c.roster_id == roster_id)
    if unit_code is not None:
        query = query.where(_employees.c.unit_code == unit_code)
    query = query.order_by(_employees.c.nip)
    if limit is not None:
        query = query.limit(limit).offset(offset)
    rows = await session.execute(query)
    return [_employee(row._mapping) for row in rows]


def _employee(mapping: RowMapping) -> Employee:
    values = dict(mapping)
    del values["roster_id"]
    return Employee.model_validate(values)


async def latest_roster(session: AsyncSession, org: str) -> RosterSummary | None:
    """The organisation's most recently stored roster snapshot."""
    row = (
        await session.execute(
            select(_rosters).where(_rosters.c.org == org).order_by(_rosters.c.created_at.desc())
        )
    ).first()
    return RosterSummary.model_validate(dict(row._mapping)) if row else None


async def names_by_nip(session: AsyncSession, nips: Collection[str]) -> dict[str, str]:
    """Each NIP's name as the newest roster snapshot holding it gives it (a NIP is one person
    for life; the newest snapshot has their name as it is now). NIPs in no snapshot are left
    out."""
    if not nips:
        return {}
    rows = await session.execute(
        select(_employees.c.nip, _employees.c.name)
        .join(_rosters, _rosters.c.id == _employees.c.roster_id)
        .where(_employees.c.nip.in_(set(nips)))
        .order_by(_rosters.c.created_at, _rosters.c.id)
    )
    return {row.nip: row.name for row in rows}  # later snapshots overwrite earlier


async def emails_by_nip(session: AsyncSession, nips: Collection[str]) -> dict[str, str | None]:
    """Each NIP's e-mail address as the newest roster snapshot holding it gives it (None: that
    snapshot has none, so the person is reached in the app only). NIPs in no snapshot are left
    out. Read when a notice is sent, so an address corrected in a new roster is used at once."""
    if not nips:
        return {}
    rows = await session.execute(
        select(_employees.c.nip, _employees.c.email)
        .join(_rosters, _rosters.c.id == _employees.c.roster_id)
        .where(_employees.c.nip.in_(set(nips)))
        .order_by(_rosters.c.created_at, _rosters.c.id)
    )
    return {row.nip: row.email for row in rows}  # later snapshots overwrite earlier


async def contacts_by_nip(
    session: AsyncSession, nips: Collection[str]
) -> dict[str, tuple[str | None, str | None]]:
    """Each NIP's (e-mail, mobile number) as the newest roster snapshot holding it gives them,
    as `emails_by_nip` reads the address; either may be None. NIPs in no snapshot are left out."""
    if not nips:
        return {}
    rows = await session.execute(
        select(_employees.c.nip, _employees.c.email, _employees.c.phone)
        .join(_rosters, _rosters.c.id == _employees.c.roster_id)
        .where(_employees.c.nip.in_(set(nips)))
        .order_by(_rosters.c.created_at, _rosters.c.id)
    )
    return {row.nip: (row.email, row.phone) for row in rows}  # later snapshots overwrite earlier
