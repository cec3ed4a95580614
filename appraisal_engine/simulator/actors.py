"""The answers of a simulated year: each employee rated as the script says, a few plans sent
back once, appeals upheld or changed."""

from __future__ import annotations

from appraisal_engine.domain.ratings import Grade
from appraisal_engine.domain.records import TaskRecord
from appraisal_engine.domain.tasks import TaskKind
from appraisal_engine.simulator.script import Script
from appraisal_engine.simulator.scripted import Actors, review
from appraisal_engine.workflows.messages import (
    AppealDecideBody,
    AppraisalState,
    ReviewBody,
    TargetsApproveBody,
    TaskBody,
)


class SimActors(Actors):
    """Scripted actors whose answers depend on whose appraisal it is."""

    def __init__(self, script: Script) -> None:
        super().__init__(script.policy)
        self.script = script
        self.returned: set[str] = set()

    def body(self, task: TaskRecord, state: AppraisalState | None = None) -> TaskBody | None:
        """The assignee's answer; the timing is the driver's business."""
        nip = task.employee_nip
        first = nip not in self.returned
        if task.kind is TaskKind.TARGETS_APPROVE and first and self.script.returns_plan(nip):
            self.returned.add(nip)
            return TargetsApproveBody(decision="return", comment="Perjelas IKI dan targetnya")
        if task.kind is TaskKind.REVIEW:
            results, behaviour = self.script.ratings(nip)
            process = results if self.policy.process.enabled else None
            return ReviewBody(review=review(results, behaviour, process=process))
        if task.kind is TaskKind.APPEAL_DECIDE and self.script.changes_on_appeal(nip):
            grades = list(Grade)
            released = Grade(task.detail["grade"])
            return AppealDecideBody(
                decision="change",
                grade=grades[max(grades.index(released) - 1, 0)],
                reason="Bukti dukung yang diajukan menunjukkan capaian lebih baik",
            )
        return super().body(task, state)
