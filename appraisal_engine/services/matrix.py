"""A unit's role-result matrix (matriks peran hasil): its approved plans read as a tree, for HR,
auditors, the unit's head and the head's own supervisor."""

from __future__ import annotations

from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from appraisal_engine.domain.matrix import MatrixNode, build_matrix
from appraisal_engine.domain.records import AppraisalRecord, AppraisalStatus
from appraisal_engine.services.access import Caller
from appraisal_engine.services.errors import NotFound
from appraisal_engine.store.repositories.appraisals import list_appraisals
from appraisal_engine.store.repositories.plans import unit_plans
from appraisal_engine.store.repositories.rosters import names_by_nip


class UnitMatrix(BaseModel):
    """One unit's matrix: the targets hung from the targets they contribute to."""

    cycle_id: str
    unit_code: str
    appraisals: int
    plans_recorded: int
    heads: list[str]
    roots: list[MatrixNode]
    names: dict[str, str]


def heads_of(members: list[AppraisalRecord]) -> list[str]:
    """The unit's heads: its people whose supervisor is not one of them."""
    inside = {m.employee_nip for m in members}
    return sorted({m.employee_nip for m in members if m.supervisor_nip not in inside})


def may_read(who: Caller, members: list[AppraisalRecord]) -> bool:
    """HR and auditors read any unit's matrix; otherwise the unit's head, or who supervises it."""
    if who.reads_all:
        return True
    inside = {m.employee_nip for m in members}
    for m in members:
        if m.supervisor_nip not in inside and who.nip in (m.employee_nip, m.supervisor_nip):
            return True
    return False


async def read_unit(
    session: AsyncSession, who: Caller, cycle_id: str, unit_code: str
) -> UnitMatrix:
    """The unit's matrix, or NotFound for a unit not in the cycle or not the caller's to see."""
    members = await list_appraisals(session, cycle_id=cycle_id, unit_code=unit_code, limit=None)
    if not members or not may_read(who, members):
        raise NotFound("unit")
    # A cancelled appraisal's plan binds nobody any more (retired, transferred out).
    gone = {m.id for m in members if m.status is AppraisalStatus.CANCELLED}
    plans = [
        p for p in await unit_plans(session, cycle_id, unit_code) if p.appraisal_id not in gone
    ]
    owners = {p.employee_nip for p in plans} | {p.supervisor_nip for p in plans}
    return UnitMatrix(
        cycle_id=cycle_id,
        unit_code=unit_code,
        appraisals=len(members) - len(gone),
        plans_recorded=len(plans),
        heads=heads_of(members),
        roots=build_matrix(plans),
        names=await names_by_nip(session, owners),
    )


async def readable_units(
    session: AsyncSession, who: Caller, units: set[tuple[str, str]]
) -> list[tuple[str, str]]:
    """Of these (cycle, unit) pairs, those whose matrix the caller may read, in order."""
    found = []
    for cycle_id, unit_code in sorted(units):
        members = await list_appraisals(session, cycle_id=cycle_id, unit_code=unit_code, limit=None)
        if members and may_read(who, members):
            found.append((cycle_id, unit_code))
    return found
