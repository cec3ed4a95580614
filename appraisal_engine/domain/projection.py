"""What one step of an appraisal writes: the inbox rows it closed and opened, the read-model
row, the outcome and the audit events, written together or not at all."""

from __future__ import annotations

from pydantic import Field

from appraisal_engine.domain.model import Value
from appraisal_engine.domain.records import (
    AppraisalRecord,
    AuditEvent,
    OutcomeRecord,
    TaskRecord,
)


class StepProjection(Value):
    """The rows of one step, each as the workflow holds it at the step's end."""

    tasks: list[TaskRecord] = Field(default_factory=list, description="in the order written")
    appraisal: AppraisalRecord | None = None
    outcome: OutcomeRecord | None = None
    events: list[AuditEvent] = Field(default_factory=list, description="in the chain's order")

    @property
    def empty(self) -> bool:
        """Nothing to write."""
        return not (self.tasks or self.events) and self.appraisal is None and self.outcome is None
