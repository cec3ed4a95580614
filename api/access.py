"""Who may see and do what, object by object. Anything not visible is answered as missing."""

from __future__ import annotations

from api.auth import Principal
from domain.records import AppraisalRecord, TaskRecord
from domain.tasks import TaskKind
from workflows.messages import AppraisalState


def sees_appraisal(who: Principal, appraisal: AppraisalRecord) -> bool:
    """The employee, the supervisor chain (appraiser and the appraiser's superior), HR, auditors."""
    if who.is_hr or who.is_auditor:
        return True
    return who.nip in (appraisal.employee_nip, appraisal.supervisor_nip, appraisal.superior_nip)


def sees_history(who: Principal, appraisal: AppraisalRecord) -> bool:
    """The employee, HR and auditors read the timeline."""
    return who.is_hr or who.is_auditor or who.nip == appraisal.employee_nip


def sees_task(who: Principal, task: TaskRecord) -> bool:
    """The assignee, HR and auditors."""
    return who.is_hr or who.is_auditor or who.nip == task.assignee_nip


def sees_peer_identities(who: Principal) -> bool:
    """Only HR and auditors learn who the peers were."""
    return who.is_hr or who.is_auditor


def redact_state(who: Principal, state: AppraisalState) -> AppraisalState:
    """The live state as this caller may see it: no peer's NIP for the employee or supervisors."""
    if sees_peer_identities(who):
        return state
    tasks = [t for t in state.tasks if t.kind is not TaskKind.PEER_FEEDBACK]
    return state.model_copy(update={"tasks": tasks})
