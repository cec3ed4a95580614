"""Exports of a cycle's grades: each appraisal joined to its roster entry, its follow-up and
whether calibration adjusted its grade, read in keyset pages so memory stays flat."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, select
from sqlalchemy.ext.asyncio import AsyncSession

from appraisal_engine.domain.audit_kinds import GRADE_RELEASED
from appraisal_engine.store.models import AppraisalRow, AuditEventRow, EmployeeRow, OutcomeRow
from appraisal_engine.store.repositories._rows import table_of

_appraisals = table_of(AppraisalRow)
_employees = table_of(EmployeeRow)
_outcomes = table_of(OutcomeRow)
_audit = table_of(AuditEventRow)


@dataclass(frozen=True)
class GradeLine:
    """One appraisal of a cycle as the grade export lists it; text exactly as stored.

    `name`, `unit_name` and `position` are None when the roster snapshot has no such NIP;
    `grade_adjusted` is None until the grade is released, `outcome` until it is decided."""

    appraisal_id: str
    nip: str
    name: str | None
    unit_code: str
    unit_name: str | None
    position: str | None
    stage: str
    grade_computed: str | None
    grade_final: str | None
    grade_adjusted: bool | None
    outcome: str | None


async def grade_lines(
    session: AsyncSession,
    cycle_id: str,
    roster_id: str,
    *,
    after: str | None = None,
    limit: int = 500,
) -> list[GradeLine]:
    """Up to `limit` of the cycle's appraisals with ids after `after`, ordered by id.

    A keyset page: pass the last line's `appraisal_id` as `after` for the next one, until a page
    comes back empty. Unlike offsets, rows updated between pages neither repeat nor vanish."""
    query = (
        select(
            _appraisals.c.id,
            _appraisals.c.employee_nip,
            _employees.c.name,
            _appraisals.c.unit_code,
            _employees.c.unit_name,
            _employees.c.position,
            _appraisals.c.stage,
            _appraisals.c.grade_computed,
            _appraisals.c.grade_final,
            _outcomes.c.kind,
        )
        .select_from(
            _appraisals.outerjoin(
                _employees,
                and_(
                    _employees.c.roster_id == roster_id,
                    _employees.c.nip == _appraisals.c.employee_nip,
                ),
            ).outerjoin(_outcomes, _outcomes.c.appraisal_id == _appraisals.c.id)
        )
        .where(_appraisals.c.cycle_id == cycle_id)
        .order_by(_appraisals.c.id)
        .limit(limit)
    )
    if after is not None:
        query = query.where(_appraisals.c.id > after)
    rows = (await session.execute(query)).all()
    adjusted = await _adjusted(session, [row.id for row in rows])
    return [
        GradeLine(
            appraisal_id=row.id,
            nip=row.employee_nip,
            name=row.name,
            unit_code=row.unit_code,
            unit_name=row.unit_name,
            position=row.position,
            stage=row.stage,
            grade_computed=row.grade_computed,
            grade_final=row.grade_final,
            grade_adjusted=adjusted.get(row.id),
            outcome=row.kind,
        )
        for row in rows
    ]


async def _adjusted(session: AsyncSession, appraisal_ids: list[str]) -> dict[str, bool]:
    """Whether calibration adjusted each released grade, from the appraisals' release events
    (the appraisal row keeps only the final grade, which a later appeal may change too)."""
    if not appraisal_ids:
        return {}
    query = (
        select(_audit.c.appraisal_id, _audit.c.payload)
        .where(_audit.c.kind == GRADE_RELEASED, _audit.c.appraisal_id.in_(appraisal_ids))
        .order_by(_audit.c.seq)
    )
    found: dict[str, bool] = {}
    for appraisal_id, payload in await session.execute(query):
        # The newest release wins, should a retried run have logged more than one.
        found[appraisal_id] = bool(isinstance(payload, dict) and payload.get("adjusted"))
    return found
