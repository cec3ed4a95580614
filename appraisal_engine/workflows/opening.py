"""The read-model row an appraisal opens with: written by the appraisal itself, or stored for it
by the cycle's launch (AppraisalInput.row_stored)."""

from __future__ import annotations

from datetime import datetime

from appraisal_engine.domain.records import AppraisalRecord, AppraisalStatus
from appraisal_engine.domain.stages import Stage
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
