"""A unit's appraisals and approved plans stored straight into the read model, for the matrix's
API and page tests: a head appraised from outside the unit, a section head, a staff member."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from appraisal_engine.domain.matrix import PlanRecord
from appraisal_engine.domain.records import AppraisalRecord, AppraisalStatus
from appraisal_engine.domain.stages import Stage
from appraisal_engine.domain.targets import Contribution, Target, TargetKind
from appraisal_engine.simulator.scripted import nip
from appraisal_engine.store.repositories.appraisals import upsert_appraisal
from appraisal_engine.store.repositories.plans import upsert_plan

AT = datetime(2026, 1, 20, tzinfo=UTC)
MAYOR, HEAD, SECTION, STAFF, UNPLANNED = nip(190), nip(191), nip(192), nip(193), nip(194)
GONE = nip(196)  # transferred out: cancelled, with a plan approved before
UNIT = "DISDIK"


@dataclass(frozen=True)
class SeededUnit:
    cycle_id: str
    unit_code: str


def _target(tid: str, parent: str | None = None, how: Contribution | None = None) -> Target:
    return Target(
        id=tid,
        rhk=f"Hasil kerja {tid}",
        iki=f"Indikator {tid}",
        target_value=100,
        target_unit="%",
        kind=TargetKind.UTAMA,
        parent_id=parent,
        contribution=how,
    )


async def seed_unit(sessions: async_sessionmaker[AsyncSession]) -> SeededUnit:
    """Store the unit under a fresh cycle id: four running appraisals with three approved plans,
    and a cancelled one whose plan was approved before it was cancelled."""
    cycle_id = f"matrix-{uuid.uuid4().hex[:8]}"
    chain = [
        (HEAD, MAYOR),
        (SECTION, HEAD),
        (STAFF, SECTION),
        (UNPLANNED, SECTION),
        (GONE, SECTION),
    ]
    plans = {
        HEAD: [_target("K1", "M1", Contribution.DIRECT)],
        SECTION: [
            _target("S1", "K1", Contribution.DIRECT),
            _target("S2", "K1", Contribution.INDIRECT),
        ],
        STAFF: [_target("T1", "S2", Contribution.INDIRECT)],
        GONE: [_target("G1", "S1", Contribution.DIRECT)],
    }
    async with sessions() as session, session.begin():
        for employee, supervisor in chain:
            appraisal_id = f"appraisal-{cycle_id}-{employee}"
            await upsert_appraisal(
                session,
                AppraisalRecord(
                    id=appraisal_id,
                    cycle_id=cycle_id,
                    employee_nip=employee,
                    unit_code=UNIT,
                    supervisor_nip=supervisor,
                    superior_nip=MAYOR if supervisor != MAYOR else nip(195),
                    policy="national",
                    stage=Stage.CANCELLED if employee == GONE else Stage.MONITORING,
                    status=(
                        AppraisalStatus.CANCELLED if employee == GONE else AppraisalStatus.RUNNING
                    ),
                    updated_at=AT,
                ),
            )
            if employee in plans:
                await upsert_plan(
                    session,
                    PlanRecord(
                        appraisal_id=appraisal_id,
                        cycle_id=cycle_id,
                        unit_code=UNIT,
                        employee_nip=employee,
                        supervisor_nip=supervisor,
                        approved_at=AT,
                        targets=plans[employee],
                    ),
                )
    return SeededUnit(cycle_id, UNIT)
