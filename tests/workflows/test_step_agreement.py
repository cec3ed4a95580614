"""After every completed task, as soon as the update returns, the inbox, the read model and the
audit log agree with the workflow: the step was written whole, in one activity, before the
answer."""

from __future__ import annotations

import uuid

import pytest
from temporalio.client import WorkflowHistory

from appraisal_engine.domain.audit_kinds import TASK_COMPLETED
from appraisal_engine.domain.policy import Policy
from appraisal_engine.domain.presets import BUKITTINGGI, NATIONAL, WANGGAR
from appraisal_engine.domain.ratings import Rating
from appraisal_engine.domain.records import AuditFilter, MentorStatus, TaskRecord, TaskStatus
from appraisal_engine.domain.stages import Stage
from appraisal_engine.store.repositories.appraisals import get_appraisal
from appraisal_engine.store.repositories.audit import list_events
from appraisal_engine.store.repositories.outcomes import get_outcome
from appraisal_engine.store.repositories.tasks import list_tasks
from appraisal_engine.workflows import search_attributes as sa
from appraisal_engine.workflows.appraisal.effects import ONE_WRITE_PER_STEP
from appraisal_engine.workflows.appraisal.workflow import AppraisalWorkflow
from appraisal_engine.workflows.messages import AppraisalState, FileAppealInput, TaskCompleted
from tests.workflows.conftest import Running
from tests.workflows.driver import (
    EMPLOYEE,
    MENTOR,
    Actors,
    Handle,
    appraisal_input,
    complete,
    seed_unit,
    skip_to_next,
    start,
)
from tests.workflows.markers import markers_of, steps_of


async def _check(running: Running, handle: Handle, done: TaskCompleted) -> None:
    """The stored rows of the appraisal against its state right after `done`."""
    state: AppraisalState = await handle.query("state", result_type=AppraisalState)
    async with running.sessions() as session:
        rows = {t.id: t for t in await list_tasks(session, appraisal_id=handle.id, limit=500)}
        row = await get_appraisal(session, handle.id)
        where = AuditFilter(appraisal_id=handle.id, kind=TASK_COMPLETED)
        logged = await list_events(session, where=where, limit=500)
    # The inbox holds every task as the workflow does, the one just completed among them.
    assert rows == {t.id: t for t in state.tasks}
    assert rows[done.task.id].status is TaskStatus.DONE
    # The read model is at the workflow's stage, with its flags and grades.
    assert row is not None
    assert (row.stage, row.flags, row.grade_computed, row.grade_final) == (
        state.stage,
        state.flags,
        state.assessment.grade if state.assessment else None,
        state.grade_final,
    )
    # One completion logged per done task, by whom and when the inbox says it closed.
    done_rows = {t.id: t for t in rows.values() if t.status is TaskStatus.DONE}
    assert sorted(e.payload["task_id"] for e in logged) == sorted(done_rows)
    for e in logged:
        closed: TaskRecord = done_rows[str(e.payload["task_id"])]
        assert (e.at, e.actor_nip) == (closed.closed_at, closed.completed_by)


async def _drive_checking(
    running: Running, handle: Handle, actors: Actors, until: Stage = Stage.DONE
) -> int:
    """Complete every task the actors answer until the stage is reached, checking the stored
    rows after each completion; how many were completed."""
    completed = 0
    for _ in range(400):
        state = await handle.query("state", result_type=AppraisalState)
        if state.stage is until:
            return completed
        acted = False
        for task in state.tasks:
            body = actors.body(task, state) if task.status is TaskStatus.OPEN else None
            if body is None:
                continue
            await _check(running, handle, await complete(handle, task, body))
            completed += 1
            acted = True
        if not acted:
            await skip_to_next(running, state)
    raise AssertionError(f"{handle.id} did not reach {until}")


@pytest.mark.parametrize("policy", [NATIONAL, BUKITTINGGI], ids=lambda p: p.name)
async def test_inbox_read_model_and_audit_agree_after_every_step(
    running: Running, policy: Policy
) -> None:
    handle = await start(running, appraisal_input(policy))
    completed = await _drive_checking(running, handle, Actors(policy))
    _each_step_written_once(await handle.fetch_history(), completed)


async def test_a_mentorship_decided_in_a_step_reserves_after_its_outcome_is_written(
    running: Running,
) -> None:
    # The appeal's decision is a step: the outcome follows in it, and the mentor's reservation
    # reads the outcome's row, which the step has gathered but not yet written.
    roster = f"roster-{uuid.uuid4().hex[:8]}"
    await seed_unit(running, roster)
    handle = await start(running, appraisal_input(WANGGAR, roster_id=roster))
    actors = Actors(WANGGAR, results=Rating.BELOW)
    completed = await _drive_checking(running, handle, actors, until=Stage.APPEAL)
    await handle.execute_update(
        AppraisalWorkflow.file_appeal,
        FileAppealInput(actor_nip=EMPLOYEE, reason="Bukti dukung triwulan IV belum dinilai"),
    )
    completed += await _drive_checking(running, handle, actors)
    result = await handle.result()
    assert result.mentor_nip == MENTOR
    async with running.sessions() as session:
        stored = await get_outcome(session, handle.id)
    assert stored is not None
    assert (stored.mentor_nip, stored.mentor_status) == (MENTOR, MentorStatus.ACTIVE)
    _each_step_written_once(await handle.fetch_history(), completed, split=1)


def _each_step_written_once(history: WorkflowHistory, completed: int, split: int = 0) -> None:
    """Each completion wrote its step in one activity: its task closed and its completion
    logged together, with whatever the year did in reaction; `split` steps were written in two
    parts, where a reservation had to read what the step had gathered so far."""
    assert f"patch:{ONE_WRITE_PER_STEP}" in markers_of(history)
    steps = steps_of(history)
    assert len(steps) == completed + split
    closing = 0
    for step in steps:
        closed = [t.id for t in step.tasks if t.status is TaskStatus.DONE]
        logged = [e.payload["task_id"] for e in step.events if e.kind == TASK_COMPLETED]
        assert closed == logged and len(closed) <= 1
        closing += len(closed)
    assert closing == completed
    # The search attributes are upserted once per step at most, as the step leaves them.
    ours = {key.name for key in sa.ALL_KEYS}
    upserts, steps_open = 0, 0
    for event in history.events:
        if event.HasField("workflow_execution_update_accepted_event_attributes"):
            steps_open += 1
        elif event.HasField("workflow_execution_update_completed_event_attributes"):
            steps_open -= 1
            assert upserts <= 1, upserts
            upserts = 0
        elif steps_open and event.HasField("upsert_workflow_search_attributes_event_attributes"):
            fields = event.upsert_workflow_search_attributes_event_attributes.search_attributes
            upserts += bool(ours & set(fields.indexed_fields))
