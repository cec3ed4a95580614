"""The appraisal read model: one row per employee per cycle, filtered for HR and supervisors."""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from appraisal_engine.domain.ratings import Grade
from appraisal_engine.domain.records import AppraisalRecord, TaskStatus
from appraisal_engine.store.models import AppraisalRow, TaskRow
from appraisal_engine.store.repositories._rows import insert_missing, row_values, table_of, upsert

_appraisals = table_of(AppraisalRow)
_tasks = table_of(TaskRow)


async def upsert_appraisal(session: AsyncSession, appraisal: AppraisalRecord) -> None:
    """Insert the appraisal row or overwrite all its fields."""
    await upsert(session, _appraisals, row_values(appraisal))


async def add_new_appraisals(session: AsyncSession, appraisals: list[AppraisalRecord]) -> None:
    """Store the opening rows of appraisals just started; a row already there has moved on and
    is kept."""
    await insert_missing(session, _appraisals, [row_values(a) for a in appraisals])


async def get_appraisal(session: AsyncSession, appraisal_id: str) -> AppraisalRecord | None:
    """One appraisal by id."""
    query = select(_appraisals).where(_appraisals.c.id == appraisal_id)
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
    visible_to: str | None = None,
    open_task_for: str | None = None,
    limit: int | None = 50,
    offset: int = 0,
) -> list[AppraisalRecord]:
    """Appraisals matching every given filter (grade means the final grade), ordered by id;
    `visible_to` keeps those where that NIP is the employee, the appraiser or their superior;
    `open_task_for` those where that NIP has an open task. `limit` None: all of them.

    Raises ValueError for `open_task_for` with `visible_to`: one's own appraisals narrowed to
    where another NIP has an open task would tell who the peers are. That filter is for lists
    read in full (HR, auditors)."""
    if open_task_for is not None and visible_to is not None:
        raise ValueError("open_task_for cannot be combined with visible_to: it would name peers")
    query = select(_appraisals)
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
    if open_task_for is not None:
        waiting = select(_tasks.c.appraisal_id).where(
            _tasks.c.assignee_nip == open_task_for, _tasks.c.status == TaskStatus.OPEN.value
        )
        query = query.where(_appraisals.c.id.in_(waiting))
    if visible_to is not None:
        query = query.where(
            or_(
                _appraisals.c.employee_nip == visible_to,
                _appraisals.c.supervisor_nip == visible_to,
                _appraisals.c.superior_nip == visible_to,
            )
        )
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
