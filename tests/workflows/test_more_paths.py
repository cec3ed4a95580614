"""Paths beyond the happy year: read-your-writes, deadlines moved, fallbacks of appeals and
mentorships, peers short of quorum, cascading that cannot wait, and cancellation of either kind."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from temporalio.client import WorkflowFailureError, WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError

from appraisal_engine.domain.outcome import OutcomeKind
from appraisal_engine.domain.presets import BUKITTINGGI, NATIONAL
from appraisal_engine.domain.ratings import Grade, Rating
from appraisal_engine.domain.records import (
    AppraisalStatus,
    MentorStatus,
    NotificationKind,
    TaskStatus,
)
from appraisal_engine.domain.stages import Stage
from appraisal_engine.domain.tasks import TaskKind
from appraisal_engine.store.repositories.appraisals import get_appraisal
from appraisal_engine.store.repositories.outcomes import get_outcome
from appraisal_engine.store.repositories.tasks import get_task, list_tasks
from appraisal_engine.workflows.appraisal.workflow import AppraisalWorkflow
from appraisal_engine.workflows.messages import (
    CancelInput,
    ExtendDeadlineInput,
    FileAppealInput,
    ReassignInput,
    TargetsDraftBody,
)
from tests.workflows.conftest import Running
from tests.workflows.driver import (
    EMPLOYEE,
    MENTOR,
    PEERS,
    PLAN,
    SUPERIOR,
    SUPERVISOR,
    Actors,
    appraisal_input,
    complete,
    drive,
    nip,
    seed_unit,
    start,
)


async def test_an_accepted_update_returns_after_the_next_task_is_in_the_inbox(
    running: Running,
) -> None:
    handle = await start(running, appraisal_input(NATIONAL))
    state = await drive(running, handle, Actors(NATIONAL), until=lambda s: bool(s.tasks))
    done = await complete(handle, state.tasks[0], TargetsDraftBody(plan=PLAN))
    assert done.task.status is TaskStatus.DONE and done.stage is Stage.TARGETS
    assert done.open_tasks == []  # the next step is the supervisor's, not the employee's
    async with running.sessions() as session:
        draft = await get_task(session, done.task.id)
        approvals = await list_tasks(session, appraisal_id=handle.id, kind=TaskKind.TARGETS_APPROVE)
    assert draft is not None and draft.status is TaskStatus.DONE
    assert [(t.assignee_nip, t.status) for t in approvals] == [(SUPERVISOR, TaskStatus.OPEN)]
    await handle.terminate()


async def test_extending_a_deadline_starts_reminders_over(running: Running) -> None:
    actors = Actors(NATIONAL)
    actors.skip = lambda t: t.kind is TaskKind.TARGETS_DRAFT
    handle = await start(running, appraisal_input(NATIONAL))
    state = await drive(running, handle, actors, until=lambda s: "overdue:targets.draft" in s.flags)
    draft = state.tasks[0]

    def reminders() -> list[object]:
        return [
            n
            for n in running.notifier.sent
            if n.task_id == draft.id and n.kind is NotificationKind.REMINDER
        ]

    assert len(reminders()) == 1
    now = await running.env.get_current_time()
    await handle.execute_update(
        AppraisalWorkflow.extend_deadline,
        ExtendDeadlineInput(
            actor_nip=nip(99), task_id=draft.id, due_at=now + timedelta(days=20), reason="cuti"
        ),
    )
    state = await handle.query(AppraisalWorkflow.state)
    assert "overdue:targets.draft" not in state.flags
    await drive(running, handle, actors, until=lambda s: "overdue:targets.draft" in s.flags)
    assert len(reminders()) == 2
    await handle.terminate()


async def test_undecided_appeal_leaves_the_released_grade(running: Running) -> None:
    actors = Actors(NATIONAL)
    actors.skip = lambda t: t.kind is TaskKind.APPEAL_DECIDE
    handle = await start(running, appraisal_input(NATIONAL))
    await drive(running, handle, actors, until=lambda s: s.stage is Stage.APPEAL)
    await handle.execute_update(
        AppraisalWorkflow.file_appeal,
        FileAppealInput(actor_nip=EMPLOYEE, reason="Capaian triwulan IV belum dinilai"),
    )
    state = await drive(running, handle, actors)
    assert state.grade_final is Grade.BAIK and "appeal_undecided" in state.flags
    assert state.appeal is not None and state.appeal.decision == "uphold"
    assert state.appeal.decided_by is None


async def test_a_declined_mentorship_with_nobody_else_turns_to_coaching(running: Running) -> None:
    roster = f"roster-{uuid.uuid4()}"
    await seed_unit(running, roster)
    actors = Actors(NATIONAL, results=Rating.BELOW, accept_mentorship=False)
    handle = await start(running, appraisal_input(NATIONAL, roster_id=roster))
    state = await drive(running, handle, actors)
    offers = [t for t in state.tasks if t.kind is TaskKind.MENTORSHIP_ACCEPT]
    assert [t.assignee_nip for t in offers] == [MENTOR]  # the only senior with room
    assert state.outcome is not None and state.outcome.kind is OutcomeKind.COACHING
    assert "no_mentor_available" in state.flags
    async with running.sessions() as session:
        outcome = await get_outcome(session, handle.id)
    assert outcome is not None and outcome.mentor_nip is None
    assert outcome.mentor_status is MentorStatus.DECLINED


async def test_peers_short_of_quorum_show_nothing(running: Running) -> None:
    actors = Actors(BUKITTINGGI)  # quorum 2, anonymity threshold 3: one peer answers
    actors.skip = lambda t: t.kind is TaskKind.PEER_FEEDBACK and t.assignee_nip != PEERS[0]
    handle = await start(running, appraisal_input(BUKITTINGGI))
    state = await drive(running, handle, actors)
    assert state.peer is not None and state.peer.responded == 1 and state.peer.invited == 3
    assert not state.peer.quorum_met and not state.peer.shown and state.peer.means is None
    assert "peer_quorum_not_met" in state.flags and state.stage is Stage.DONE


async def test_cascading_stops_waiting_at_the_draft_deadline(running: Running) -> None:
    cycle = f"c{uuid.uuid4().hex[:8]}"
    inp = appraisal_input(NATIONAL, cycle_id=cycle, supervisor_in_cycle=True)
    handle = await start(running, inp)
    state = await drive(
        running,
        handle,
        Actors(NATIONAL),
        until=lambda s: any(t.kind is TaskKind.TARGETS_APPROVE for t in s.tasks),
    )
    assert "cascading_timed_out" in state.flags and state.waiting_for is None
    await handle.terminate()


async def test_reassignment_releases_a_cascading_wait(running: Running) -> None:
    inp = appraisal_input(NATIONAL, cycle_id=f"c{uuid.uuid4().hex[:8]}", supervisor_in_cycle=True)
    handle = await start(running, inp)
    assert (await handle.query(AppraisalWorkflow.state)).waiting_for == "supervisor_targets"
    with pytest.raises(WorkflowUpdateFailedError) as err:  # the superior cannot also appraise
        await handle.execute_update(
            AppraisalWorkflow.reassign,
            ReassignInput(actor_nip=nip(99), supervisor_nip=SUPERIOR, reason="plt"),
        )
    assert isinstance(err.value.cause, ApplicationError)
    assert err.value.cause.type == "NotAllowed"
    await handle.execute_update(
        AppraisalWorkflow.reassign,
        ReassignInput(actor_nip=nip(99), supervisor_nip=nip(31), reason="plt kepala bidang"),
    )
    state = await drive(running, handle, Actors(NATIONAL), until=lambda s: bool(s.tasks))
    assert "cascading_skipped:reassigned" in state.flags
    assert [t.kind for t in state.tasks] == [TaskKind.TARGETS_DRAFT]
    await handle.terminate()


async def test_cancelling_an_offered_mentorship_frees_the_mentor(running: Running) -> None:
    roster = f"roster-{uuid.uuid4()}"
    await seed_unit(running, roster)
    actors = Actors(NATIONAL, results=Rating.BELOW)
    actors.skip = lambda t: t.kind is TaskKind.MENTORSHIP_ACCEPT
    handle = await start(running, appraisal_input(NATIONAL, roster_id=roster))
    await drive(running, handle, actors, until=lambda s: s.mentor_status is MentorStatus.OFFERED)
    await handle.execute_update(
        AppraisalWorkflow.cancel, CancelInput(actor_nip=nip(99), reason="meninggal dunia")
    )
    assert (await handle.result()).stage is Stage.CANCELLED
    async with running.sessions() as session:
        outcome = await get_outcome(session, handle.id)
        open_rows = await list_tasks(session, appraisal_id=handle.id, status=TaskStatus.OPEN)
    assert outcome is not None and outcome.mentor_nip is None
    assert outcome.mentor_status is MentorStatus.NONE and open_rows == []


async def test_cancelling_through_temporal_still_closes_every_task(running: Running) -> None:
    actors = Actors(NATIONAL)
    actors.skip = lambda t: t.kind is TaskKind.SELF_REPORT
    handle = await start(running, appraisal_input(NATIONAL))
    await drive(
        running,
        handle,
        actors,
        until=lambda s: any(t.kind is TaskKind.SELF_REPORT for t in s.tasks),
    )
    await handle.cancel()
    with pytest.raises(WorkflowFailureError):
        await handle.result()
    async with running.sessions() as session:
        rows = await list_tasks(session, appraisal_id=handle.id, limit=100)
        row = await get_appraisal(session, handle.id)
    assert rows and all(t.status is not TaskStatus.OPEN for t in rows)
    assert [t.status for t in rows if t.kind is TaskKind.SELF_REPORT] == [TaskStatus.CANCELLED]
    assert row is not None and row.status is AppraisalStatus.CANCELLED
