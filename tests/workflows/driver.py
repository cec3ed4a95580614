"""Scripted actors for workflow tests: valid bodies for every task kind, and a loop that drives
an appraisal through its year under time-skipping."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import timedelta

from temporalio.client import WorkflowHandle

from domain.employee import Employee, PositionLevel
from domain.peer import PeerFeedback
from domain.policy import Policy
from domain.ratings import Dimension, Rating
from domain.records import TaskRecord, TaskStatus
from domain.reports import Feedback, Realisation, SelfReport
from domain.review import Review
from domain.targets import Target, TargetKind, TargetPlan
from domain.tasks import TaskKind
from store.repositories.rosters import add_roster
from tests.workflows.conftest import Running
from workflows.appraisal import AppraisalWorkflow
from workflows.messages import (
    AppealDecideBody,
    AppraisalInput,
    AppraisalResult,
    AppraisalState,
    CompleteTaskInput,
    FeedbackBody,
    MentorshipAcceptBody,
    PeerFeedbackBody,
    ReviewBody,
    SelfReportBody,
    Stage,
    TargetsApproveBody,
    TargetsDraftBody,
    TaskBody,
)

Handle = WorkflowHandle[AppraisalWorkflow, AppraisalResult]


def nip(seq: int, *, born: str = "19800115", sex: int = 1) -> str:
    """A valid NIP: born 1980, appointed 2005."""
    return f"{born}200501{sex}{seq:03d}"


EMPLOYEE, SUPERVISOR, SUPERIOR = nip(1), nip(2), nip(3)
PEERS = [nip(10), nip(11), nip(12, sex=2)]
MENTOR = nip(20)

PLAN = TargetPlan(
    targets=[
        Target(
            id="T1",
            rhk="Layanan KTP elektronik tepat waktu",
            iki="Persentase KTP selesai",
            target_value=95,
            target_unit="%",
        ),
        Target(
            id="T2",
            rhk="Laporan bulanan pelayanan",
            iki="Jumlah laporan",
            target_value=12,
            target_unit="dokumen",
        ),
        Target(
            id="T3",
            rhk="Sosialisasi layanan daring",
            iki="Jumlah kegiatan",
            target_value=4,
            target_unit="kegiatan",
            kind=TargetKind.TAMBAHAN,
        ),
    ]
)


def report(plan: TargetPlan = PLAN, *, structured: bool = False) -> SelfReport:
    """A complete self-report with evidence."""
    text = "Capaian triwulan sesuai rencana" if structured else ""
    return SelfReport(
        realisations=[
            Realisation(
                target_id=t.id,
                value=t.target_value / 4,
                evidence=[f"https://arsip.example.go.id/{t.id}.pdf"],
            )
            for t in plan.targets
        ],
        achievements=text,
        challenges="Jaringan lambat" if structured else "",
        improvement_plan="Tambah pelatihan" if structured else "",
    )


def review(results: Rating, behaviour: Rating, plan: TargetPlan = PLAN) -> Review:
    """Every target rated `results`, every dimension rated `behaviour`."""
    return Review(
        target_ratings={t.id: results for t in plan.targets},
        behaviour_ratings={d: behaviour for d in Dimension},
        comment="Kinerja dinilai dari laporan dan bukti dukung",
    )


class Actors:
    """Answers every task right away with a valid body; tests override single answers."""

    def __init__(
        self,
        policy: Policy,
        *,
        results: Rating = Rating.MEETS,
        behaviour: Rating = Rating.MEETS,
        accept_mentorship: bool = True,
    ) -> None:
        self.policy = policy
        self.results, self.behaviour = results, behaviour
        self.accept_mentorship = accept_mentorship
        self.returns_left = 0
        self.skip: Callable[[TaskRecord], bool] = lambda t: False

    def body(self, task: TaskRecord, state: AppraisalState) -> TaskBody | None:
        """The body this actor would submit, or None to leave the task alone."""
        if self.skip(task):
            return None
        match task.kind:
            case TaskKind.TARGETS_DRAFT:
                return TargetsDraftBody(plan=PLAN)
            case TaskKind.TARGETS_APPROVE:
                if self.returns_left > 0:
                    self.returns_left -= 1
                    return TargetsApproveBody(decision="return", comment="Perjelas IKI T2")
                return TargetsApproveBody(decision="approve")
            case TaskKind.SELF_REPORT:
                return SelfReportBody(report=report(structured=self.policy.structured_reports))
            case TaskKind.FEEDBACK:
                return FeedbackBody(feedback=Feedback(comment="Lanjutkan, lengkapi bukti"))
            case TaskKind.PEER_FEEDBACK:
                return PeerFeedbackBody(answers=PeerFeedback(scores={d: 4 for d in Dimension}))
            case TaskKind.REVIEW:
                return ReviewBody(review=review(self.results, self.behaviour))
            case TaskKind.MENTORSHIP_ACCEPT:
                return MentorshipAcceptBody(accept=self.accept_mentorship)
            case TaskKind.APPEAL_DECIDE:
                return AppealDecideBody(decision="uphold", reason="Nilai sesuai bukti dukung")
        return None


def appraisal_input(policy: Policy, **changes: object) -> AppraisalInput:
    """A standalone appraisal of EMPLOYEE under `policy`."""
    base: dict[str, object] = dict(
        employee_nip=EMPLOYEE,
        unit_code="DUKCAPIL",
        position_level=PositionLevel.PELAKSANA,
        supervisor_nip=SUPERVISOR,
        superior_nip=SUPERIOR,
        peer_nips=PEERS,
        policy=policy,
    )
    return AppraisalInput.model_validate({**base, **changes})


async def start(running: Running, inp: AppraisalInput) -> Handle:
    """Start an appraisal with a fresh id on the test's task queue."""
    return await running.client.start_workflow(
        AppraisalWorkflow.run,
        inp,
        id=f"appraisal-test-{uuid.uuid4()}",
        task_queue=running.task_queue,
    )


async def complete(
    handle: Handle,
    task: TaskRecord,
    body: TaskBody,
    actor: str | None = None,
):
    """Complete a task as its assignee (or as `actor`)."""
    return await handle.execute_update(
        AppraisalWorkflow.complete_task,
        CompleteTaskInput(task_id=task.id, actor_nip=actor or task.assignee_nip, body=body),
    )


async def drive(
    running: Running,
    handle: Handle,
    actors: Actors,
    *,
    until: Callable[[AppraisalState], bool] = lambda s: s.stage in (Stage.DONE, Stage.CANCELLED),
    max_steps: int = 400,
    idle: Callable[[Running, AppraisalState], Awaitable[None]] | None = None,
) -> AppraisalState:
    """Answer open tasks, skipping time to the workflow's next timer whenever nobody can act."""
    for _ in range(max_steps):
        state = await handle.query(AppraisalWorkflow.state)
        if until(state):
            return state
        acted = False
        for task in state.tasks:
            if task.status is not TaskStatus.OPEN:
                continue
            body = actors.body(task, state)
            if body is not None:
                await complete(handle, task, body)
                acted = True
        if not acted:
            await (idle or skip_to_next)(running, state)
    raise AssertionError(f"not finished after {max_steps} steps; stage {state.stage}")


async def skip_to_next(running: Running, state: AppraisalState) -> None:
    """Let time run to just past the workflow's next timer (or a day when it has none)."""
    now = await running.env.get_current_time()
    gap = (state.waiting_until - now) if state.waiting_until else timedelta(days=1)
    await running.env.sleep(max(gap, timedelta(0)) + timedelta(seconds=1))


async def seed_unit(running: Running, roster_id: str, extra: list[Employee] | None = None) -> None:
    """A roster with the employee's unit: the employee, supervisor, superior, peers, a mentor."""

    def emp(n: str, level: PositionLevel, sup: str | None, name: str) -> Employee:
        return Employee(
            nip=n,
            name=name,
            unit_code="DUKCAPIL",
            unit_name="Dinas Dukcapil",
            position="Staf",
            position_level=level,
            supervisor_nip=sup,
        )

    people = [
        emp(SUPERIOR, PositionLevel.JPT, None, "Kepala Dinas"),
        emp(SUPERVISOR, PositionLevel.ADMINISTRATOR, SUPERIOR, "Kabid"),
        emp(MENTOR, PositionLevel.PENGAWAS, SUPERVISOR, "Kasi Senior"),
        emp(EMPLOYEE, PositionLevel.PELAKSANA, MENTOR, "Pegawai"),
        *[emp(p, PositionLevel.PELAKSANA, MENTOR, f"Rekan {i}") for i, p in enumerate(PEERS)],
        *(extra or []),
    ]
    async with running.sessions() as session, session.begin():
        await add_roster(session, roster_id, "test", people, checksum="x")
