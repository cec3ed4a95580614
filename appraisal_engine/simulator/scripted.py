"""Scripted actors: a valid body for every task kind, answered at once, for demos, simulations
and tests. Everything here is fictional."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from temporalio.client import WorkflowHandle

from appraisal_engine.domain.calendar import local_date
from appraisal_engine.domain.indicators import PeriodIndicators
from appraisal_engine.domain.peer import PeerFeedback
from appraisal_engine.domain.periodic import PeriodRating
from appraisal_engine.domain.planning import Expectations, PerformanceDialogue
from appraisal_engine.domain.policy import Policy
from appraisal_engine.domain.ratings import Dimension, Rating
from appraisal_engine.domain.records import TaskRecord, TaskStatus
from appraisal_engine.domain.reports import Feedback, Realisation, SelfReport
from appraisal_engine.domain.review import Review
from appraisal_engine.domain.stages import Stage
from appraisal_engine.domain.targets import Target, TargetKind, TargetPlan
from appraisal_engine.domain.tasks import TaskKind
from appraisal_engine.workflows.messages import (
    AppealDecideBody,
    AppraisalState,
    CompleteTaskInput,
    FeedbackBody,
    MentorshipAcceptBody,
    PeerFeedbackBody,
    ReviewBody,
    SelfReportBody,
    TargetsApproveBody,
    TargetsDraftBody,
    TaskBody,
    TaskCompleted,
)


def nip(seq: int, *, born: str = "19800115", sex: int = 1) -> str:
    """A valid NIP: born 1980, appointed 2005."""
    return f"{born}200501{sex}{seq:03d}"


HR = "197001012000011001"  # the HR officer who calibrates, reassigns and cancels
REGIONAL_HEAD = "196501011990011001"  # appraises the heads at the top of a roster
APPEALS_OFFICER = "196601011985031001"  # hears the appeals of the heads at the top
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


def review(
    results: Rating, behaviour: Rating, plan: TargetPlan = PLAN, *, process: Rating | None = None
) -> Review:
    """Every target rated `results`, every dimension rated `behaviour`; with `process`, every
    target's process too (for policies that appraise it)."""
    return Review(
        target_ratings={t.id: results for t in plan.targets},
        behaviour_ratings={d: behaviour for d in Dimension},
        process_ratings={t.id: process for t in plan.targets} if process else {},
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
        peer_score: int = 4,
        process: Rating | None = None,
        indicators: PeriodIndicators | None = None,
    ) -> None:
        self.policy = policy
        self.peer_score = peer_score
        # Where the policy appraises process: rated as the results unless told otherwise.
        self.process = process
        # Where the policy keeps discipline and attendance: every period's, present every day
        # with no breach unless told otherwise.
        self.indicators = indicators or PeriodIndicators(attendance=100, discipline_breaches=0)
        self.results, self.behaviour = results, behaviour
        self.accept_mentorship = accept_mentorship
        self.returns_left = 0
        self.skip: Callable[[TaskRecord], bool] = lambda t: False

    @property
    def process_rating(self) -> Rating | None:
        """The process rating a review gives every target, if the policy asks for one."""
        return (self.process or self.results) if self.policy.process.enabled else None

    def body(self, task: TaskRecord, state: AppraisalState | None = None) -> TaskBody | None:
        """The body this actor would submit, or None to leave the task alone."""
        if self.skip(task):
            return None
        match task.kind:
            case TaskKind.TARGETS_DRAFT:
                return TargetsDraftBody(plan=hung_from(PLAN, task.detail.get("parent_targets")))
            case TaskKind.TARGETS_APPROVE:
                if self.returns_left > 0:
                    self.returns_left -= 1
                    return TargetsApproveBody(decision="return", comment="Perjelas IKI T2")
                return approval(task, self.policy)
            case TaskKind.SELF_REPORT:
                return SelfReportBody(report=report(structured=self.policy.structured_reports))
            case TaskKind.FEEDBACK:
                rating = PeriodRating(results=self.results, behaviour=self.behaviour)
                indicators = self.indicators if self.policy.indicators.enabled else None
                return FeedbackBody(
                    feedback=Feedback(
                        comment="Lanjutkan, lengkapi bukti", rating=rating, indicators=indicators
                    )
                )
            case TaskKind.PEER_FEEDBACK:
                asked = self.policy.peer.aspects
                return PeerFeedbackBody(
                    answers=PeerFeedback(scores={a: self.peer_score for a in asked})
                )
            case TaskKind.REVIEW:
                return ReviewBody(
                    review=review(self.results, self.behaviour, process=self.process_rating)
                )
            case TaskKind.MENTORSHIP_ACCEPT:
                return MentorshipAcceptBody(accept=self.accept_mentorship)
            case TaskKind.APPEAL_DECIDE:
                return AppealDecideBody(decision="uphold", reason="Nilai sesuai bukti dukung")
        return None


EXPECTATIONS: Expectations = {
    Dimension.BERORIENTASI_PELAYANAN: "Melayani warga ramah dan tuntas di hari yang sama",
    Dimension.AKUNTABEL: "Laporan kegiatan lengkap dengan bukti dukung tiap bulan",
    Dimension.KOMPETEN: "Menguasai aplikasi layanan dan membagikannya ke rekan",
    Dimension.HARMONIS: "Menjaga suasana kerja yang saling menghargai",
    Dimension.LOYAL: "Menjaga rahasia data penduduk",
    Dimension.ADAPTIF: "Cepat menyesuaikan diri dengan prosedur baru",
    Dimension.KOLABORATIF: "Aktif membantu seksi lain saat antrean panjang",
}
"""The leader's expectation for each BerAKHLAK value (ekspektasi pimpinan), fictional."""


def approval(task: TaskRecord, policy: Policy) -> TargetsApproveBody:
    """An approval with the leader's expectations and a dialogue held the day the task opened,
    which every policy's planning rules accept."""
    return TargetsApproveBody(
        decision="approve",
        expectations=EXPECTATIONS,
        dialogue=PerformanceDialogue(
            held_on=local_date(task.opened_at, policy.time_zone),
            agreed=True,
            notes="Target dan ekspektasi dibahas bersama",
        ),
    )


def hung_from(plan: TargetPlan, parents: list[dict[str, str]] | None) -> TargetPlan:
    """The plan with each main target hanging from the supervisor's first target (cascading)."""
    if not parents:
        return plan
    parent = parents[0]["id"]
    return TargetPlan(
        targets=[
            t.model_copy(update={"parent_id": parent}) if t.kind is TargetKind.UTAMA else t
            for t in plan.targets
        ],
        behaviour_expectations=plan.behaviour_expectations,
    )


def finished(state: AppraisalState) -> bool:
    """The year is over, one way or the other."""
    return state.stage in (Stage.DONE, Stage.CANCELLED)


async def first_task_opened(
    handle: WorkflowHandle[Any, Any], *, within_s: float = 60
) -> AppraisalState:
    """The state once the new appraisal has opened its first task, waited for on the wall
    clock. A query right after the start may be answered before any task exists (the server's
    clock does not skip while nobody sleeps): a driver reading that state sees nothing to
    answer and no timer, and would skip a day."""
    for _ in range(int(within_s / 0.05)):
        state: AppraisalState = await handle.query("state", result_type=AppraisalState)
        if state.tasks:
            return state
        await asyncio.sleep(0.05)
    raise RuntimeError(f"{handle.id} opened no task within {within_s:.0f} s of its start")


async def drive_year(
    handle: WorkflowHandle[Any, Any],
    actors: Actors,
    idle: Callable[[AppraisalState], Awaitable[None]],
    *,
    until: Callable[[AppraisalState], bool] = finished,
    max_steps: int = 400,
    on_done: Callable[[TaskCompleted], None] | None = None,
) -> AppraisalState:
    """Answer every open task the actors will answer; call `idle` when nobody can act."""
    for _ in range(max_steps):
        state: AppraisalState = await handle.query("state", result_type=AppraisalState)
        if until(state):
            return state
        acted = False
        for task in state.tasks:
            if task.status is not TaskStatus.OPEN:
                continue
            body = actors.body(task, state)
            if body is None:
                continue
            done: TaskCompleted = await handle.execute_update(
                "complete_task",
                CompleteTaskInput(task_id=task.id, actor_nip=task.assignee_nip, body=body),
                result_type=TaskCompleted,
            )
            if on_done is not None:
                on_done(done)
            acted = True
        if not acted:
            await idle(state)
    raise RuntimeError(f"the year did not finish in {max_steps} steps (stage {state.stage})")
