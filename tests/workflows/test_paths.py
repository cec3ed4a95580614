"""The year's other paths: a returned plan, cascading, reassignment, cancellation, appeals."""

from __future__ import annotations

import asyncio
import uuid
from datetime import time, timedelta

import pytest
from temporalio.client import WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError

from appraisal_engine.domain.presets import NATIONAL
from appraisal_engine.domain.ratings import Grade, Rating
from appraisal_engine.domain.records import AppraisalStatus, TaskStatus
from appraisal_engine.domain.stages import Stage
from appraisal_engine.domain.targets import TargetPlan
from appraisal_engine.domain.tasks import TaskKind
from appraisal_engine.store.repositories.appraisals import get_appraisal
from appraisal_engine.store.repositories.tasks import list_tasks
from appraisal_engine.workflows import search_attributes as sa
from appraisal_engine.workflows.appraisal.workflow import AppraisalWorkflow
from appraisal_engine.workflows.ids import appraisal_workflow_id
from appraisal_engine.workflows.messages import (
    AppealDecideBody,
    AppraisalState,
    CancelInput,
    FileAppealInput,
    ReassignInput,
    ReviewBody,
    TargetsDraftBody,
)
from tests.workflows.conftest import Running
from tests.workflows.driver import (
    EMPLOYEE,
    PLAN,
    SUPERIOR,
    SUPERVISOR,
    Actors,
    Handle,
    appraisal_input,
    complete,
    drive,
    nip,
    review,
    start,
)


def open_task(state: AppraisalState, kind: TaskKind):
    """The one open task of a kind."""
    [task] = [t for t in state.tasks if t.kind is kind and t.status is TaskStatus.OPEN]
    return task


def rejection(err: pytest.ExceptionInfo[WorkflowUpdateFailedError]) -> ApplicationError:
    """The typed rejection behind a failed update."""
    assert isinstance(err.value.cause, ApplicationError)
    return err.value.cause


async def test_returned_plan_is_redrafted_then_approved(running: Running) -> None:
    actors = Actors(NATIONAL)
    actors.returns_left = 1
    handle = await start(running, appraisal_input(NATIONAL))
    state = await drive(running, handle, actors, until=lambda s: s.stage is Stage.MONITORING)
    drafts = [t for t in state.tasks if t.kind is TaskKind.TARGETS_DRAFT]
    approvals = [t for t in state.tasks if t.kind is TaskKind.TARGETS_APPROVE]
    assert len(drafts) == 2 and len(approvals) == 2
    assert drafts[1].detail["returned_with"] == "Perjelas IKI T2"
    assert state.plan_returns == ["Perjelas IKI T2"]
    assert state.plan == PLAN
    await handle.terminate()


async def test_subordinate_cannot_draft_before_supervisor_is_approved(running: Running) -> None:
    cycle = f"c{uuid.uuid4().hex[:8]}"
    boss_superior = nip(4)
    sub_inp = appraisal_input(NATIONAL, cycle_id=cycle, supervisor_in_cycle=True)
    sup_inp = appraisal_input(
        NATIONAL,
        cycle_id=cycle,
        employee_nip=SUPERVISOR,
        supervisor_nip=SUPERIOR,
        superior_nip=boss_superior,
        subordinate_nips=[EMPLOYEE],
    )
    queue = running.task_queue
    sub: Handle = await running.client.start_workflow(
        AppraisalWorkflow.run, sub_inp, id=appraisal_workflow_id(cycle, EMPLOYEE), task_queue=queue
    )
    state = await sub.query(AppraisalWorkflow.state)
    assert state.waiting_for == "supervisor_targets" and state.tasks == []

    sup: Handle = await running.client.start_workflow(
        AppraisalWorkflow.run,
        sup_inp,
        id=appraisal_workflow_id(cycle, SUPERVISOR),
        task_queue=queue,
    )
    await drive(running, sup, Actors(NATIONAL), until=lambda s: s.stage is Stage.MONITORING)
    for _ in range(100):  # the cascade activity signals the subordinate
        state = await sub.query(AppraisalWorkflow.state)
        if state.tasks:
            break
        await asyncio.sleep(0.05)
    draft = open_task(state, TaskKind.TARGETS_DRAFT)
    assert [p["id"] for p in draft.detail["parent_targets"]] == ["T1", "T2", "T3"]

    with pytest.raises(WorkflowUpdateFailedError) as err:  # main targets must hang from parents
        await complete(sub, draft, TargetsDraftBody(plan=PLAN))
    assert rejection(err).type == "InvalidPayload"
    assert rejection(err).details[0]["field"] == "targets[0].parent_id"
    hung = TargetPlan(
        targets=[
            t.model_copy(update={"parent_id": "T1"}) if t.kind.value == "utama" else t
            for t in PLAN.targets
        ]
    )
    done = await complete(sub, draft, TargetsDraftBody(plan=hung))
    assert done.task.status is TaskStatus.DONE
    await sub.terminate()
    await sup.terminate()


async def test_reassignment_mid_review_moves_the_task(running: Running) -> None:
    new_supervisor = nip(30)
    actors = Actors(NATIONAL)
    actors.skip = lambda t: t.kind is TaskKind.REVIEW
    handle = await start(running, appraisal_input(NATIONAL))
    state = await drive(running, handle, actors, until=lambda s: s.stage is Stage.REVIEW)
    old = open_task(state, TaskKind.REVIEW)

    moved = await handle.execute_update(
        AppraisalWorkflow.reassign,
        ReassignInput(
            actor_nip=nip(99), supervisor_nip=new_supervisor, reason="mutasi ke bidang lain"
        ),
    )
    assert [t.status for t in moved.tasks] == [TaskStatus.SUPERSEDED, TaskStatus.OPEN]
    state = await handle.query(AppraisalWorkflow.state)
    new = open_task(state, TaskKind.REVIEW)
    assert new.assignee_nip == new_supervisor and state.supervisor_nip == new_supervisor

    body = ReviewBody(review=review(Rating.MEETS, Rating.MEETS))
    with pytest.raises(WorkflowUpdateFailedError) as err:
        await complete(handle, old, body)
    assert rejection(err).type == "Superseded"
    await complete(handle, new, body)
    result = await handle.result()
    assert result.grade_final is Grade.BAIK
    async with running.sessions() as session:
        rows = {t.id: t for t in await list_tasks(session, appraisal_id=handle.id, limit=100)}
    assert rows[old.id].status is TaskStatus.SUPERSEDED
    assert rows[new.id].status is TaskStatus.DONE and rows[new.id].completed_by == new_supervisor


async def test_cancellation_closes_every_open_task(running: Running) -> None:
    actors = Actors(NATIONAL)
    actors.skip = lambda t: t.kind is TaskKind.SELF_REPORT
    handle = await start(running, appraisal_input(NATIONAL))
    state = await drive(
        running,
        handle,
        actors,
        until=lambda s: any(t.kind is TaskKind.SELF_REPORT for t in s.tasks),
    )
    report = open_task(state, TaskKind.SELF_REPORT)
    done = await handle.execute_update(
        AppraisalWorkflow.cancel, CancelInput(actor_nip=nip(99), reason="pensiun")
    )
    assert [t.id for t in done.tasks] == [report.id]
    result = await handle.result()
    assert result.stage is Stage.CANCELLED and result.grade_final is None
    state = await handle.query(AppraisalWorkflow.state)
    assert state.cancel_reason == "pensiun"
    async with running.sessions() as session:
        rows = await list_tasks(session, appraisal_id=handle.id, status=TaskStatus.OPEN)
        row = await get_appraisal(session, handle.id)
    assert rows == []
    assert row is not None and row.status is AppraisalStatus.CANCELLED


@pytest.mark.parametrize("decision", ["uphold", "change"])
async def test_appeal_decided_by_the_superior(running: Running, decision: str) -> None:
    actors = Actors(NATIONAL, results=Rating.BELOW, behaviour=Rating.MEETS)
    handle = await start(running, appraisal_input(NATIONAL))
    state = await drive(running, handle, actors, until=lambda s: s.stage is Stage.APPEAL)
    assert state.grade_final is Grade.BUTUH_PERBAIKAN
    # The window ends at a midnight on the organisation's clock (WIB), 14 whole days after the
    # day the grade was released, which is the day the review was sent here.
    review = next(t for t in state.tasks if t.kind is TaskKind.REVIEW)
    assert state.appeal_deadline is not None and review.closed_at is not None
    assert (state.appeal_deadline + timedelta(hours=7)).time() == time(0)
    assert timedelta(days=14) < state.appeal_deadline - review.closed_at <= timedelta(days=15)

    filed = await handle.execute_update(
        AppraisalWorkflow.file_appeal,
        FileAppealInput(
            actor_nip=EMPLOYEE, reason="Bukti dukung triwulan IV belum dipertimbangkan"
        ),
    )
    state = await handle.query(AppraisalWorkflow.state)
    task = open_task(state, TaskKind.APPEAL_DECIDE)
    assert filed.decide_task_id == task.id and task.assignee_nip == SUPERIOR

    if decision == "uphold":
        body = AppealDecideBody(decision="uphold", reason="Penilaian sudah sesuai bukti")
    else:
        body = AppealDecideBody(decision="change", grade=Grade.BAIK, reason="Bukti baru sah")
    await complete(handle, task, body)
    result = await handle.result()
    expected = Grade.BUTUH_PERBAIKAN if decision == "uphold" else Grade.BAIK
    assert result.grade_computed is Grade.BUTUH_PERBAIKAN
    assert result.grade_final is expected and result.outcome is not None
    assert result.outcome.grade is expected
    state = await handle.query(AppraisalWorkflow.state)
    assert state.appeal is not None and state.appeal.decision == decision
    assert state.appeal.decided_by == SUPERIOR and state.appeal.grade_after is expected


async def test_search_attributes_follow_stage_assignees_and_grade(running: Running) -> None:
    actors = Actors(NATIONAL)
    actors.skip = lambda t: t.kind is TaskKind.SELF_REPORT
    inp = appraisal_input(NATIONAL, cycle_id="kota-demo-2026")
    handle = await start(running, inp)
    await drive(
        running,
        handle,
        actors,
        until=lambda s: any(t.kind is TaskKind.SELF_REPORT for t in s.tasks),
    )
    attrs = (await handle.describe()).typed_search_attributes
    assert attrs.get(sa.STAGE) == "monitoring" and attrs.get(sa.CYCLE) == "kota-demo-2026"
    assert attrs.get(sa.UNIT) == "DUKCAPIL" and attrs.get(sa.EMPLOYEE) == EMPLOYEE
    assert attrs.get(sa.ASSIGNEES) == [EMPLOYEE] and attrs.get(sa.GRADE) is None

    actors.skip = lambda t: False
    await drive(running, handle, actors)
    attrs = (await handle.describe()).typed_search_attributes
    assert attrs.get(sa.STAGE) == "done" and attrs.get(sa.GRADE) == "baik"
    assert attrs.get(sa.ASSIGNEES) is None
