"""Records that cross from workflows to the read model: inbox rows, appraisal rows, outcomes,
audit events. Pure data, so workflows, activities and the store can all share them."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from pydantic import ConfigDict, Field

from appraisal_engine.domain.employee import PositionLevel
from appraisal_engine.domain.mentors import MentorRules
from appraisal_engine.domain.model import Value
from appraisal_engine.domain.outcome import AwardKind, OutcomeKind
from appraisal_engine.domain.ratings import Grade
from appraisal_engine.domain.stages import Stage
from appraisal_engine.domain.tasks import TaskKind


class TaskStatus(StrEnum):
    """Where a task stands."""

    OPEN = "open"
    DONE = "done"
    MISSING = "missing"  # closed by the policy's fallback without an answer
    SUPERSEDED = "superseded"  # moved to someone else by a reassignment or escalation
    CANCELLED = "cancelled"


class TaskRecord(Value):
    """One row of the task inbox."""

    id: str
    appraisal_id: str
    cycle_id: str | None
    employee_nip: str
    kind: TaskKind
    assignee_nip: str
    status: TaskStatus = TaskStatus.OPEN
    opened_at: datetime
    due_at: datetime
    closed_at: datetime | None = None
    completed_by: str | None = None
    escalated: bool = False
    period: int | None = None
    detail: dict[str, Any] = Field(default_factory=dict)


class AppraisalStatus(StrEnum):
    """Whether an appraisal's year is still running."""

    RUNNING = "running"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


class AppraisalRecord(Value):
    """The read model's row for one appraisal."""

    id: str
    cycle_id: str | None
    employee_nip: str
    unit_code: str
    supervisor_nip: str | None
    superior_nip: str | None
    policy: str
    stage: Stage
    status: AppraisalStatus
    grade_computed: Grade | None = None
    grade_final: Grade | None = None
    flags: list[str] = Field(default_factory=list)
    updated_at: datetime


class MentorStatus(StrEnum):
    """Where a mentorship offer stands."""

    NONE = "none"
    OFFERED = "offered"
    ACTIVE = "active"
    DECLINED = "declined"


class OutcomeRecord(Value):
    """The follow-up recorded for one appraisal."""

    appraisal_id: str
    cycle_id: str | None
    employee_nip: str
    unit_code: str
    grade: Grade
    kind: OutcomeKind
    awards: list[AwardKind] = Field(default_factory=list)
    talent_pool: bool = False
    credit_points_percent: int
    improvement_months: int | None = None
    mentor_nip: str | None = None
    mentor_status: MentorStatus = MentorStatus.NONE
    decided_at: datetime


class MentorRequest(Value):
    """Ask for a mentor for one mentee: a senior of the same unit, with spare capacity."""

    appraisal_id: str
    roster_id: str
    unit_code: str
    employee_nip: str
    employee_level: PositionLevel
    exclude: list[str] = Field(default_factory=list, description="supervisor, declined mentors")
    capacity: int
    rules: MentorRules | None = Field(default=None, description="years and level a mentor needs")
    on: date | None = Field(default=None, description="the day years of service are counted to")


class AuditEvent(Value):
    """One decision to append to the audit log; `event_id` makes the append idempotent."""

    event_id: str
    at: datetime
    actor_nip: str | None
    kind: str
    appraisal_id: str | None = None
    cycle_id: str | None = None
    payload: dict[str, Any] = Field(default_factory=dict)


class AuditFilter(Value):
    """Which audit events to list: those matching every field given (none given: all of them);
    `since` is inclusive, `until` exclusive."""

    # Match what was asked, character for character, as the log stores it.
    model_config = ConfigDict(str_strip_whitespace=False)

    actor_nip: str | None = None
    appraisal_id: str | None = None
    cycle_id: str | None = None
    kind: str | None = None
    since: datetime | None = None
    until: datetime | None = None


EVERY_EVENT = AuditFilter()
"""The filter every audit event matches."""


class MentorMatch(Value):
    """The mentor reserved for a mentee, if any senior had room."""

    mentor_nip: str | None


class NotificationKind(StrEnum):
    """Why someone is told about a task."""

    REMINDER = "reminder"
    ESCALATION = "escalation"
    OVERDUE = "overdue"


class Notification(Value):
    """A message about one task; carries NIPs and ids only."""

    kind: NotificationKind
    task_id: str
    task_kind: TaskKind
    appraisal_id: str
    recipients: list[str]
    due_at: datetime


class ParentTarget(Value):
    """A supervisor's approved target that a subordinate's target may hang from."""

    id: str
    rhk: str


class CascadeRequest(Value):
    """Tell subordinates' appraisals that the supervisor's targets are approved."""

    supervisor_nip: str
    workflow_ids: list[str]
    targets: list[ParentTarget]


class TeladanNomination(Value):
    """HR's nomination of one Sangat Baik employee as ASN teladan of a cycle."""

    cycle_id: str
    employee_nip: str
    appraisal_id: str
    unit_code: str
    nominated_by: str
    nominated_at: datetime
    reason: str = Field(min_length=1, max_length=500)
