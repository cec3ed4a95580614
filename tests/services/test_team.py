"""My team against the database: the appraisals the caller appraises or stands above, each with
the employee's name from the newest roster that holds the NIP, its open tasks (a peer's never
named), and how many are overdue; nobody else's, and finished years only when asked."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from appraisal_engine.api.auth import Principal
from appraisal_engine.api.roles import Role
from appraisal_engine.domain.development import DevelopmentPlan, PlannedItem, SkillKind
from appraisal_engine.domain.employee import PositionLevel
from appraisal_engine.domain.outcome import OutcomeKind
from appraisal_engine.domain.records import AppraisalStatus, TaskStatus
from appraisal_engine.domain.tasks import TaskKind
from appraisal_engine.services.team import WaitingFor, team_of
from appraisal_engine.store.repositories.appraisals import upsert_appraisal
from appraisal_engine.store.repositories.development import save_plan
from appraisal_engine.store.repositories.rosters import add_roster
from appraisal_engine.store.repositories.tasks import upsert_task
from tests.store.builders import T0, appraisal, employee, nip, task, uid

SUPERVISOR, SUPERIOR, PEER = nip(402), nip(403), nip(404)
ALICE, BOB, CAROL, OUTSIDER = nip(411), nip(412), nip(413), nip(414)
NOW = T0 + timedelta(days=30)


async def test_team_is_what_one_stands_above_with_names_tasks_and_overdue(
    session: AsyncSession,
) -> None:
    cycle = uid("cycle")
    alice = appraisal(
        cycle_id=cycle, employee_nip=ALICE, supervisor_nip=SUPERVISOR, superior_nip=SUPERIOR
    )
    bob = appraisal(
        cycle_id=cycle, employee_nip=BOB, supervisor_nip=SUPERVISOR, superior_nip=SUPERIOR
    )
    finished = appraisal(
        cycle_id=cycle,
        employee_nip=CAROL,
        supervisor_nip=SUPERVISOR,
        superior_nip=SUPERIOR,
        status=AppraisalStatus.COMPLETED,
        stage="done",
    )
    elsewhere = appraisal(cycle_id=cycle, employee_nip=OUTSIDER, supervisor_nip=nip(420))
    for record in (alice, bob, finished, elsewhere):
        await upsert_appraisal(session, record)
    overdue = task(
        appraisal_id=alice.id, employee_nip=ALICE, assignee_nip=ALICE, due_at=NOW - timedelta(1)
    )
    mine = task(
        appraisal_id=alice.id,
        employee_nip=ALICE,
        assignee_nip=SUPERVISOR,
        kind=TaskKind.FEEDBACK,
        due_at=NOW + timedelta(days=2),
        escalated=True,
    )
    peer = task(
        appraisal_id=alice.id,
        employee_nip=ALICE,
        assignee_nip=PEER,
        kind=TaskKind.PEER_FEEDBACK,
        due_at=NOW + timedelta(days=5),
    )
    done = task(appraisal_id=bob.id, employee_nip=BOB, assignee_nip=BOB, status=TaskStatus.DONE)
    for open_or_done in (overdue, mine, peer, done):
        await upsert_task(session, open_or_done)
    older = [employee(411, PositionLevel.PELAKSANA, name="Alice Lama")]
    newer = [
        employee(411, PositionLevel.PELAKSANA, name="Alice Baru"),
        employee(412, PositionLevel.PELAKSANA, name="<script>Bob</script>"),
    ]
    await add_roster(session, uid("r"), "kota-x", older, "c1", created_at=T0)
    await add_roster(session, uid("r"), "kota-x", newer, "c2", created_at=T0 + timedelta(1))

    members = await team_of(session, Principal(nip=SUPERVISOR), now=NOW)
    ours = {m.appraisal.id: m for m in members if m.appraisal.cycle_id == cycle}
    assert set(ours) == {alice.id, bob.id}  # not the finished year, not another's team
    a, b = ours[alice.id], ours[bob.id]
    assert a.name == "Alice Baru" and b.name == "<script>Bob</script>"  # the newest roster
    assert [t.kind for t in a.open_tasks] == [
        TaskKind.SELF_REPORT,
        TaskKind.FEEDBACK,
        TaskKind.PEER_FEEDBACK,
    ]
    waiting = [(t.waiting_for, t.assignee_nip) for t in a.open_tasks]
    assert waiting == [
        (WaitingFor.EMPLOYEE, ALICE),
        (WaitingFor.YOU, SUPERVISOR),
        (WaitingFor.PEER, None),  # the peer is never named to the supervisor chain
    ]
    assert a.overdue == 1 and a.open_tasks[1].escalated and not a.open_tasks[1].overdue
    assert b.open_tasks == [] and b.overdue == 0

    everything = await team_of(session, Principal(nip=SUPERVISOR), now=NOW, running_only=False)
    assert finished.id in {m.appraisal.id for m in everything}

    above = await team_of(session, Principal(nip=SUPERIOR), now=NOW)
    above_ids = {m.appraisal.id for m in above}
    assert {alice.id, bob.id} <= above_ids
    waiting_above = {
        t.kind: t.waiting_for
        for t in next(m for m in above if m.appraisal.id == alice.id).open_tasks
    }
    assert waiting_above[TaskKind.FEEDBACK] is WaitingFor.OTHER  # the appraiser's, not theirs

    for nobody in (Principal(nip=ALICE), Principal(nip=nip(421), roles=frozenset({Role.HR}))):
        theirs = await team_of(session, nobody, now=NOW)
        assert not {m.appraisal.id for m in theirs} & {alice.id, bob.id, elsewhere.id}


async def test_the_appraiser_sees_where_the_plan_stands_the_superior_does_not(
    session: AsyncSession,
) -> None:
    finished = appraisal(
        employee_nip=nip(431),
        supervisor_nip=nip(432),
        superior_nip=nip(433),
        status=AppraisalStatus.COMPLETED,
        stage="done",
    )
    await upsert_appraisal(session, finished)
    due = NOW.date() - timedelta(days=1)  # its day has passed, nobody said whether it happened
    await save_plan(
        session,
        DevelopmentPlan(
            appraisal_id=finished.id,
            cycle_id=finished.cycle_id,
            employee_nip=finished.employee_nip,
            outcome_kind=OutcomeKind.DEVELOPMENT,
            planned_by=nip(432),
            planned_at=T0,
            follow_up_on=due,
            items=[PlannedItem(kind=SkillKind.SOFT, course="Komunikasi", due_on=due)],
            updated_at=T0,
        ),
    )
    (mine,) = await team_of(session, Principal(nip=nip(432)), now=NOW, running_only=False)
    assert mine.plan is not None and mine.plan.overdue_items == [0]
    assert mine.plan.follow_up_overdue
    (above,) = await team_of(session, Principal(nip=nip(433)), now=NOW, running_only=False)
    assert above.appraisal.id == finished.id and above.plan is None
