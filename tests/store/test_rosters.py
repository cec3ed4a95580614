"""Roster snapshots: stored once, employees read back as domain records."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from appraisal_engine.domain.employee import PositionLevel
from appraisal_engine.store.repositories.rosters import (
    RosterConflictError,
    add_roster,
    get_employee,
    get_roster,
    list_employees,
)
from tests.store.builders import employee, nip, uid

CREATED = datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)
STAFF = [
    employee(3, PositionLevel.PELAKSANA, supervisor_nip=nip(2)),
    employee(1, PositionLevel.JPT, "SETDA"),
    employee(2, PositionLevel.PENGAWAS, supervisor_nip=nip(1), acting=True),
    employee(4, PositionLevel.FUNGSIONAL, "DINKES"),
]


async def test_a_roster_round_trips(session: AsyncSession) -> None:
    roster_id = uid("roster")
    summary = await add_roster(session, roster_id, "kota", STAFF, "sha-1", created_at=CREATED)
    assert summary == await get_roster(session, roster_id)
    assert (summary.org, summary.employee_count, summary.checksum) == ("kota", 4, "sha-1")
    assert summary.created_at == CREATED
    for person in STAFF:
        assert await get_employee(session, roster_id, person.nip) == person


async def test_list_employees_by_roster_and_unit_in_nip_order(session: AsyncSession) -> None:
    roster_id, other = uid("roster"), uid("roster")
    await add_roster(session, roster_id, "kota", STAFF, "sha-1")
    await add_roster(session, other, "kab", [employee(9, PositionLevel.JPT, "DISDIK")], "sha-2")
    assert [e.nip for e in await list_employees(session, roster_id)] == [
        nip(i) for i in (1, 2, 3, 4)
    ]
    assert await list_employees(session, roster_id, unit_code="DISDIK") == [STAFF[2], STAFF[0]]
    assert await list_employees(session, roster_id, unit_code="NOWHERE") == []
    assert await get_employee(session, other, nip(1)) is None


async def test_adding_the_same_roster_again_writes_nothing(session: AsyncSession) -> None:
    roster_id = uid("roster")
    first = await add_roster(session, roster_id, "kota", STAFF, "sha-1", created_at=CREATED)
    again = await add_roster(session, roster_id, "kota", STAFF, "sha-1")
    assert again == first
    assert len(await list_employees(session, roster_id)) == 4


async def test_the_same_id_with_other_contents_is_a_conflict(session: AsyncSession) -> None:
    roster_id = uid("roster")
    await add_roster(session, roster_id, "kota", STAFF, "sha-1")
    with pytest.raises(RosterConflictError):
        await add_roster(session, roster_id, "kota", STAFF[:2], "sha-2")


async def test_unknown_roster_and_employee(session: AsyncSession) -> None:
    assert await get_roster(session, "no-such-roster") is None
    assert await get_employee(session, "no-such-roster", nip(1)) is None
    assert await list_employees(session, "no-such-roster") == []


async def test_an_empty_roster_is_stored(session: AsyncSession) -> None:
    roster_id = uid("roster")
    summary = await add_roster(session, roster_id, "kota", [], "sha-empty")
    assert summary.employee_count == 0
    assert await list_employees(session, roster_id) == []


async def test_contacts_are_stored_with_the_snapshot(session: AsyncSession) -> None:
    roster_id = uid("roster")
    reachable = employee(5, PositionLevel.JPT).model_copy(
        update={"email": "kadis@dukcapil.kota.go.id", "phone": "+6281234567890"}
    )
    await add_roster(session, roster_id, "kota", [reachable, STAFF[0]], "sha-c")
    assert await get_employee(session, roster_id, reachable.nip) == reachable
    assert (await get_employee(session, roster_id, STAFF[0].nip)) == STAFF[0]
