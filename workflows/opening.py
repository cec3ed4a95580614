"""The read-model row an appraisal opens with, so that a launch can store it for the appraisal."""

from __future__ import annotations

from datetime import datetime

from domain.records import AppraisalRecord, AppraisalStatus
from workflows.messages import AppraisalInput, Stage

# The patch under which an appraisal whose launch stored its opening row skips writing it again
# (see AppraisalInput.row_stored). Appraisals started before it replay their first write.
LAUNCH_STORES_ROW = "launch-stores-opening-row"


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
