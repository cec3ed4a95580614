"""Year-end figures of a cycle, read from the read model and the audit log."""

from __future__ import annotations

from collections import Counter, defaultdict

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from appraisal_engine.domain.audit_kinds import APPEAL_DECIDED
from appraisal_engine.domain.model import Value
from appraisal_engine.store.models import AppraisalRow, AuditEventRow, OutcomeRow


class CycleFigures(Value):
    """Counts for a cycle's closing summary."""

    grades_by_unit: dict[str, dict[str, int]]
    cancelled_by_unit: dict[str, int]
    awards: dict[str, int]
    outcomes: dict[str, int]
    mentorships: int
    appeals: dict[str, int]
    overdue: dict[str, int]


async def cycle_figures(session: AsyncSession, cycle_id: str) -> CycleFigures:
    """Grades per unit, awards by kind, outcomes, active mentorships, appeals and overdue steps."""
    grades: dict[str, Counter[str]] = defaultdict(Counter)
    cancelled: Counter[str] = Counter()
    overdue: Counter[str] = Counter()
    rows = await session.execute(
        select(
            AppraisalRow.unit_code,
            AppraisalRow.status,
            AppraisalRow.grade_final,
            AppraisalRow.flags,
        ).where(AppraisalRow.cycle_id == cycle_id)
    )
    for unit, status, grade, flags in rows:
        if status == "cancelled":
            cancelled[unit] += 1
        elif grade is not None:
            grades[unit][str(grade)] += 1
        for flag in flags or []:
            if flag.startswith(("overdue:", "missing_")):
                overdue[flag.split(":")[0] if flag.startswith("missing_") else flag] += 1
    awards: Counter[str] = Counter()
    outcomes: Counter[str] = Counter()
    mentorships = 0
    result = await session.execute(
        select(OutcomeRow.kind, OutcomeRow.awards, OutcomeRow.mentor_status).where(
            OutcomeRow.cycle_id == cycle_id
        )
    )
    for kind, kinds, mentor_status in result:
        outcomes[str(kind)] += 1
        awards.update(str(a) for a in kinds or [])
        mentorships += mentor_status == "active"
    appeals: Counter[str] = Counter()
    decided = await session.execute(
        select(AuditEventRow.payload).where(
            AuditEventRow.cycle_id == cycle_id, AuditEventRow.kind == APPEAL_DECIDED
        )
    )
    for (payload,) in decided:
        appeals[str(payload.get("decision"))] += 1
    return CycleFigures(
        grades_by_unit={u: dict(c) for u, c in sorted(grades.items())},
        cancelled_by_unit=dict(cancelled),
        awards=dict(awards),
        outcomes=dict(outcomes),
        mentorships=mentorships,
        appeals=dict(appeals),
        overdue=dict(overdue),
    )
