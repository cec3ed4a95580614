"""The appraisal read model: one row per employee per cycle, filtered for HR and supervisors."""

from __future__ import annotations

from collections.abc import Mapping
from enum import Enum
from typing import Any

from sqlalchemy import ColumnElement, Select, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from appraisal_engine.domain.ratings import Grade
from appraisal_engine.domain.records import AppraisalRecord, AppraisalStatus, TaskStatus
from appraisal_engine.store.models import AppraisalRow, TaskRow
from appraisal_engine.store.repositories._rows import insert_missing, row_values, table_of, upsert
from appraisal_engine.store.repositories.viewers import Viewer

_appraisals = table_of(AppraisalRow)
_tasks = table_of(TaskRow)


class Audience(Enum):
    """Who, besides HR and auditors, reads an appraisal's row."""

    CHAIN = "chain"  # the employee, the appraiser and the appraiser's superior: the live state
    EMPLOYEE = "employee"  # the employee alone: the history


def _seen_by(viewer: Viewer, audience: Audience) -> ColumnElement[bool]:
    """The rows someone who does not read all may read for `audience`."""
    if audience is Audience.EMPLOYEE:
        return _appraisals.c.employee_nip == viewer.nip
    return or_(
        _appraisals.c.employee_nip == viewer.nip,
        _appraisals.c.supervisor_nip == viewer.nip,
        _appraisals.c.superior_nip == viewer.nip,
    )


def _visible(query: Select[Any], viewer: Viewer | None, audience: Audience) -> Select[Any]:
    if viewer is None or viewer.reads_all:
        return query
    return query.where(_seen_by(viewer, audience))


async def upsert_appraisal(session: AsyncSession, appraisal: AppraisalRecord) -> None:
    """Insert the appraisal row or overwrite all its fields."""
    await upsert(session, _appraisals, row_values(appraisal))


async def add_new_appraisals(session: AsyncSession, appraisals: list[AppraisalRecord]) -> None:
    """Store the opening rows of appraisals just started; a row already there has moved on and
    is kept."""
    await insert_missing(session, _appraisals, [row_values(a) for a in appraisals])


async def get_appraisal(
    session: AsyncSession,
    appraisal_id: str,
    *,
    visible_to: Viewer | None = None,
    audience: Audience = Audience.CHAIN,
) -> AppraisalRecord | None:
    """One appraisal by id; with `visible_to`, None too when that viewer may not read it for
    `audience` (the row is never loaded)."""
    query = _visible(
        select(_appraisals).where(_appraisals.c.id == appraisal_id), visible_to, audience
    )
    row = (await session.execute(query)).first()
    return None if row is None else AppraisalRecord.model_validate(dict(row._mapping))


async def list_appraisals(
    session: AsyncSession,
    *,
    cycle_id: str | None = None,
    unit_code: str | None = None,
    stage: str | None = None,
    grade: Grade | None = None,
    supervisor_nip: str | None = None,
    employee_nip: str | None = None,
    stands_above: str | None = None,
    status: AppraisalStatus | None = None,
    visible_to: Viewer | None = None,
    open_task_for: str | None = None,
    limit: int | None = 50,
    offset: int = 0,
) -> list[AppraisalRecord]:
    """Appraisals matching every given filter (grade means the final grade), ordered by id;
    `visible_to` keeps those that viewer may read (all of them for HR and auditors; for anyone
    else those where their NIP is the employee, the appraiser or the appraiser's superior);
    `open_task_for` those where that NIP has an open task; `stands_above` those where that NIP
    is the appraiser or the appraiser's superior. `limit` None: all of them.

    Raises ValueError for `open_task_for` with a viewer who does not read all: one's own
    appraisals narrowed to where another NIP has an open task would tell who the peers are.
    That filter is for lists read in full (HR, auditors)."""
    if open_task_for is not None and visible_to is not None and not visible_to.reads_all:
        raise ValueError("open_task_for cannot be combined with visible_to: it would name peers")
    query = _visible(select(_appraisals), visible_to, Audience.CHAIN)
    if cycle_id is not None:
        query = query.where(_appraisals.c.cycle_id == cycle_id)
    if unit_code is not None:
        query = query.where(_appraisals.c.unit_code == unit_code)
    if stage is not None:
        query = query.where(_appraisals.c.stage == stage)
    if grade is not None:
        query = query.where(_appraisals.c.grade_final == grade.value)
    if supervisor_nip is not None:
        query = query.where(_appraisals.c.supervisor_nip == supervisor_nip)
    if employee_nip is not None:
        query = query.where(_appraisals.c.employee_nip == employee_nip)
    if stands_above is not None:
        query = query.where(
            or_(
                _appraisals.c.supervisor_nip == stands_above,
                _appraisals.c.superior_nip == stands_above,
            )
        )
    if status is not None:
        query = query.where(_appraisals.c.status == status.value)
    if open_task_for is not None:
        waiting = select(_tasks.c.appraisal_id).where(
            _tasks.c.assignee_nip == open_task_for, _tasks.c.status == TaskStatus.OPEN.value
        )
        query = query.where(_appraisals.c.id.in_(waiting))
    query = query.order_by(_appraisals.c.id).limit(limit).offset(offset)
    rows = await session.execute(query)
    return [AppraisalRecord.model_validate(dict(row._mapping)) for row in rows]


async def set_final_grades(session: AsyncSession, grades: Mapping[str, Grade]) -> None:
    """Record released grades on their appraisals' rows."""
    for appraisal_id, grade in grades.items():
        await session.execute(
            update(_appraisals)
            .where(_appraisals.c.id == appraisal_id)
            .values(grade_final=grade.value)
        )


async def cycles_rating_units_of(session: AsyncSession, nip: str) -> list[str]:
    """The cycles in which `nip` appraises someone still running of a unit other than their own
    (or has no appraisal of their own there, as the regional head has none): those where they
    may be the official one level up from a unit's head, who rates the unit. Everyone else
    rates no unit, and their inbox need not ask the cycles."""
    theirs, mine = aliased(AppraisalRow), aliased(AppraisalRow)
    own_unit = (
        select(mine.id)
        .where(
            mine.cycle_id == theirs.cycle_id,
            mine.employee_nip == nip,
            mine.unit_code == theirs.unit_code,
        )
        .exists()
    )
    query = (
        select(theirs.cycle_id)
        .where(
            theirs.supervisor_nip == nip,
            theirs.cycle_id.is_not(None),
            theirs.status == AppraisalStatus.RUNNING,
            ~own_unit,
        )
        .distinct()
    )
    return sorted(c for c in (await session.scalars(query)).all() if c is not None)
