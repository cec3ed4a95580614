"""What an appraisal opens with: its read-model row, written by the appraisal itself or stored
for it by the cycle's launch (AppraisalInput.row_stored), and the search attributes it starts
with."""

from __future__ import annotations

from datetime import datetime

from temporalio.common import SearchAttributePair, TypedSearchAttributes

from appraisal_engine.domain.records import AppraisalRecord, AppraisalStatus
from appraisal_engine.domain.stages import Stage
from appraisal_engine.workflows import search_attributes as sa
from appraisal_engine.workflows.messages import AppraisalInput


def opening_record(inp: AppraisalInput, appraisal_id: str, at: datetime) -> AppraisalRecord:
    """The row of an appraisal that has just started: in targets, running, ungraded, no flags."""
    return AppraisalRecord(
        id=appraisal_id,
        cycle_id=inp.cycle_id,
        employee_nip=inp.employee_nip,
        unit_code=inp.unit_code,
        supervisor_nip=inp.supervisor_nip,
        superior_nip=inp.superior_nip,
        policy=inp.policy.name,
        stage=Stage.TARGETS.value,
        status=AppraisalStatus.RUNNING,
        updated_at=at,
    )


def opening_search_attributes(inp: AppraisalInput) -> TypedSearchAttributes:
    """The search attributes an appraisal starts with: its cycle, unit, employee and stage."""
    cycle = [SearchAttributePair(sa.CYCLE, inp.cycle_id)] if inp.cycle_id else []
    return TypedSearchAttributes(
        [
            *cycle,
            SearchAttributePair(sa.UNIT, inp.unit_code),
            SearchAttributePair(sa.EMPLOYEE, inp.employee_nip),
            SearchAttributePair(sa.STAGE, Stage.TARGETS.value),
        ]
    )
