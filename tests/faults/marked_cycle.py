"""A cycle whose every free text carries a distinctive marker: the roster's names, the actors'
plans, reports and comments, HR's calibration reasons, an appeal. A scan for the markers tells
whether any of it escaped where it must not be."""

from __future__ import annotations

import asyncio
import math
import uuid

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio.client import Client

from appraisal_engine.client.starters import CycleHandle
from appraisal_engine.domain.calibration import Adjustment
from appraisal_engine.domain.curve import UnitRating
from appraisal_engine.domain.employee import Employee
from appraisal_engine.domain.policy import Policy
from appraisal_engine.domain.ratings import Grade
from appraisal_engine.domain.records import TaskRecord
from appraisal_engine.domain.reports import Feedback, Realisation, SelfReport
from appraisal_engine.domain.stages import BEFORE_CALIBRATION
from appraisal_engine.domain.targets import TargetPlan
from appraisal_engine.domain.tasks import TaskKind
from appraisal_engine.simulator.inbox import answer_tasks, open_tasks, unit_grades
from appraisal_engine.simulator.scripted import HR, PLAN, Actors, hung_from, report
from appraisal_engine.simulator.unit_rating import rate_unit
from appraisal_engine.workflows.appraisal.workflow import AppraisalWorkflow
from appraisal_engine.workflows.cycle import CycleWorkflow
from appraisal_engine.workflows.cycle_messages import CalibrateInput, CycleStatus
from appraisal_engine.workflows.messages import (
    AppealDecideBody,
    AppraisalState,
    FeedbackBody,
    FileAppealInput,
    ReviewBody,
    SelfReportBody,
    TargetsApproveBody,
    TargetsDraftBody,
    TaskBody,
)


class Secrets:
    """Markers no log line or search attribute has any reason to contain."""

    def __init__(self) -> None:
        tag = uuid.uuid4().hex[:10]
        self.name = f"Namarahasia{tag}"
        self.comment = f"Komentarrahasia{tag}"
        self.report = f"Laporanrahasia{tag}"

    @property
    def markers(self) -> dict[str, str]:
        """Each marker by what it stands for."""
        return {"name": self.name, "comment": self.comment, "report": self.report}

    def roster(self, employees: list[Employee]) -> list[Employee]:
        """The same people, each name carrying the name marker."""
        return [
            e.model_copy(update={"name": f"{e.name} {self.name}{i:03d}"})
            for i, e in enumerate(employees)
        ]


class SecretActors(Actors):
    """Scripted actors whose plans, reports, comments and reasons all carry markers."""

    def __init__(self, policy: Policy, secrets: Secrets) -> None:
        super().__init__(policy)
        self.secrets = secrets
        self.returns_left = 2  # two plans go back with a comment before approval
        # Appeals of these appraisals go undecided: their deadline notices go out instead.
        self.undecided: set[str] = set()
        self.skip = lambda t: t.kind is TaskKind.APPEAL_DECIDE and t.appraisal_id in self.undecided
        s = secrets
        self.plan = TargetPlan(
            targets=[
                t.model_copy(update={"rhk": f"{t.rhk} {s.report}", "iki": f"{t.iki} {s.report}"})
                for t in PLAN.targets
            ],
            behaviour_expectations=f"Harapan perilaku {s.report}",
        )

    def body(self, task: TaskRecord, state: AppraisalState | None = None) -> TaskBody | None:
        """The base actor's answer, with every free-text field marked."""
        base = super().body(task, state)
        s = self.secrets
        match base:
            case TargetsDraftBody():
                parents = task.detail.get("parent_targets")
                return TargetsDraftBody(plan=hung_from(self.plan, parents))
            case TargetsApproveBody(decision="return"):
                return TargetsApproveBody(decision="return", comment=f"Perbaiki IKI {s.comment}")
            case SelfReportBody():
                plain = report(self.plan, structured=True)
                return SelfReportBody(
                    report=SelfReport(
                        realisations=[
                            Realisation(
                                target_id=r.target_id,
                                value=r.value,
                                note=f"Catatan {s.report}",
                                evidence=[f"https://arsip.example.go.id/{s.report}/{r.target_id}"],
                            )
                            for r in plain.realisations
                        ],
                        achievements=f"Capaian {s.report}",
                        challenges=f"Kendala {s.report}",
                        improvement_plan=f"Rencana perbaikan {s.report}",
                    )
                )
            case FeedbackBody():
                return FeedbackBody(
                    feedback=Feedback(comment=f"Umpan balik {s.comment}", follow_up=s.comment)
                )
            case ReviewBody(review=review):  # the marked plan keeps the target ids
                return ReviewBody(
                    review=review.model_copy(update={"comment": f"Nilai {s.comment}"})
                )
            case AppealDecideBody():
                return AppealDecideBody(decision="uphold", reason=f"Keputusan {s.comment}")
        return base


async def drive_marked_cycle(
    client: Client,
    sessions: async_sessionmaker[AsyncSession],
    cycle: CycleHandle,
    cycle_id: str,
    actors: SecretActors,
) -> CycleStatus:
    """Answer every task and calibrate each unit with marked reasons until the cycle closes.

    The lowest graded of each unit appeals: the first unit's appeal is left undecided (its
    deadline notices go out), the second's is decided with a marked reason."""
    secrets = actors.secrets
    calibrated: list[str] = []
    appellants: list[str] = []
    for _ in range(1000):
        status: CycleStatus = await cycle.query(CycleWorkflow.status)
        if status.closed:
            return status
        tasks = await open_tasks(sessions, cycle_id)
        await answer_tasks(client, tasks, actors.body)
        ready = [
            u
            for u, p in status.units.items()
            if status.launch_done
            and u not in calibrated
            and sum(p.stages.get(s, 0) for s in BEFORE_CALIBRATION) == 0
        ]
        for unit in ready:
            lowest = await _calibrate(cycle, cycle_id, unit, sessions, secrets)
            appellants.append(lowest)
            if len(calibrated) == 0:
                actors.undecided.add(lowest)
            calibrated.append(unit)
        for appellant in list(appellants):
            handle = client.get_workflow_handle_for(AppraisalWorkflow.run, appellant)
            state = await handle.query(AppraisalWorkflow.state)
            if state.appeal_deadline is None:  # the window is not open yet
                continue
            appellants.remove(appellant)
            await handle.execute_update(
                AppraisalWorkflow.file_appeal,
                FileAppealInput(
                    actor_nip=state.employee_nip, reason=f"Keberatan atas nilai {secrets.comment}"
                ),
            )
        if not tasks and not ready:
            await asyncio.sleep(0.2)
    raise AssertionError("the cycle did not close")


async def _calibrate(
    cycle: CycleHandle,
    cycle_id: str,
    unit: str,
    sessions: async_sessionmaker[AsyncSession],
    secrets: Secrets,
) -> str:
    """Fit the unit to the curve with marked reasons; the appraisal graded lowest."""
    ids = sorted(g.appraisal_id for g in await unit_grades(sessions, cycle_id, unit))
    raised = [
        Adjustment(appraisal_id=i, grade=Grade.SANGAT_BAIK, reason=f"Unggul {secrets.comment}")
        for i in ids[: math.ceil(0.3 * len(ids))]
    ]
    lowered = Adjustment(
        appraisal_id=ids[-1], grade=Grade.BUTUH_PERBAIKAN, reason=f"Kurang {secrets.comment}"
    )
    progress = (await cycle.query(CycleWorkflow.status)).units[unit]
    typed = await rate_unit(cycle, unit, progress, UnitRating.BAIK, hr_nip=HR)
    result = await cycle.execute_update(
        CycleWorkflow.calibrate,
        CalibrateInput(
            actor_nip=HR,
            unit_code=unit,
            unit_rating=typed,
            adjustments=[*raised, lowered],
        ),
    )
    assert result.violations == [] and result.released == len(ids)
    return ids[-1]
