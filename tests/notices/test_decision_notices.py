"""Decision notices and the one who missed a deadline: written with the step's audit row or
escalation, once however often the step runs; never skipped for want of a task; each kind
rendered in Bahasa Indonesia and in English."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio.testing import ActivityEnvironment

from appraisal_engine.activities.read_model import ReadModelActivities
from appraisal_engine.domain.audit_kinds import (
    APPEAL_DECIDED,
    GRADE_COMPUTED,
    GRADE_RELEASED,
    OUTCOME_DECIDED,
    TASK_COMPLETED,
)
from appraisal_engine.domain.notices import Decision, Notice, NoticeKind
from appraisal_engine.domain.records import (
    AppraisalRecord,
    AppraisalStatus,
    AuditEvent,
    Notification,
    NotificationKind,
    TaskStatus,
)
from appraisal_engine.domain.stages import Stage
from appraisal_engine.domain.tasks import TaskKind
from appraisal_engine.notices.render import Renderer
from appraisal_engine.store.repositories.appraisals import upsert_appraisal
from appraisal_engine.store.repositories.notices import list_notices
from tests.notices.conftest import (
    SENDER,
    Clock,
    SmtpServer,
    activities,
    config_for,
    fresh_nip,
    open_task,
    sender_for,
    store_people,
)

Sessions = async_sessionmaker[AsyncSession]
LINK = "https://kinerja.kota.go.id"


async def appraisal_of(sessions: Sessions, employee: str) -> str:
    """Store the read-model row of the employee's appraisal; its id."""
    appraisal = f"appraisal-kota-2026-{employee}"
    row = AppraisalRecord(
        id=appraisal, cycle_id="kota-2026", employee_nip=employee, unit_code="DISDUK",
        supervisor_nip=fresh_nip(), superior_nip=fresh_nip(), policy="national",
        stage=Stage.APPEAL, status=AppraisalStatus.RUNNING, updated_at=datetime.now(UTC),
    )  # fmt: skip
    async with sessions() as session, session.begin():
        await upsert_appraisal(session, row)
    return appraisal


def event(appraisal: str, audit_kind: str, number: int, **payload: Any) -> AuditEvent:
    return AuditEvent(
        event_id=f"run-{appraisal}#{number}", at=datetime.now(UTC), actor_nip=None,
        kind=audit_kind,
        appraisal_id=appraisal, cycle_id="kota-2026", payload=payload,
    )  # fmt: skip


async def decisions_to(sessions: Sessions, nip: str) -> list[tuple[Decision | None, str | None]]:
    async with sessions() as session:
        rows = await list_notices(session, recipient_nip=nip)
    assert all(n.kind is NoticeKind.DECISION and n.due_at is None for n in rows)
    return sorted(((n.decision, n.task_id) for n in rows), key=str)


async def test_a_decision_is_written_once_however_often_its_step_runs(outbox: Sessions) -> None:
    store, _ = activities(outbox)
    employee = fresh_nip()
    appraisal = await appraisal_of(outbox, employee)
    released = event(appraisal, GRADE_RELEASED, 7, grade="Baik", adjusted=False)
    env = ActivityEnvironment()
    await env.run(store.append_audit, released)
    await env.run(store.append_audit, released)  # a retried activity
    # A replay that numbered its events anew (a refused workflow task): the same cause.
    await env.run(store.append_audit, released.model_copy(update={"event_id": "other#9"}))
    assert await decisions_to(outbox, employee) == [(Decision.GRADE_RELEASED, None)]


async def test_each_decision_of_the_year_has_its_own_cause(outbox: Sessions) -> None:
    store: ReadModelActivities = activities(outbox)[0]
    employee = fresh_nip()
    appraisal = await appraisal_of(outbox, employee)
    approve = TaskKind.TARGETS_APPROVE.value
    steps = [
        event(appraisal, TASK_COMPLETED, 1, task_id="t1", task_kind=approve, decision="return"),
        event(appraisal, TASK_COMPLETED, 2, task_id="t2", task_kind="targets.draft", targets=[]),
        event(appraisal, TASK_COMPLETED, 3, task_id="t3", task_kind=approve, decision="approve"),
        event(appraisal, GRADE_COMPUTED, 4, grade="Butuh Perbaikan"),
        event(appraisal, APPEAL_DECIDED, 5, decision="uphold"),
        event(appraisal, OUTCOME_DECIDED, 6, kind="coaching", mentor_nip=None),
    ]
    for step in steps:
        await ActivityEnvironment().run(store.append_audit, step)
    assert await decisions_to(outbox, employee) == [
        (Decision.APPEAL_DECIDED, None),
        (Decision.TARGETS_APPROVED, None),
        (Decision.TARGETS_RETURNED, None),
    ]
    mentored = event(appraisal, OUTCOME_DECIDED, 8, kind="mentorship", mentor_nip=fresh_nip())
    await ActivityEnvironment().run(store.append_audit, mentored)
    async with outbox() as session:
        ids = {n.id for n in await list_notices(session, recipient_nip=employee)}
    assert ids == {
        f"t1:targets_returned:{employee}",
        f"t3:targets_approved:{employee}",
        f"{appraisal}:appeal_decided:{employee}",
        f"{appraisal}:mentorship_arranged:{employee}",
    }


async def test_a_decision_is_sent_though_it_has_no_task(outbox: Sessions, smtp: SmtpServer) -> None:
    people = await store_people(outbox)
    store, _ = activities(outbox)
    appraisal = await appraisal_of(outbox, people.staff.nip)
    await ActivityEnvironment().run(
        store.append_audit, event(appraisal, APPEAL_DECIDED, 1, decision="change")
    )
    drained = await sender_for(outbox, config_for(smtp.port), Clock()).drain_once()
    assert len(drained.sent) == 1 and drained.skipped == []
    [message] = smtp.catcher.to(people.staff.email or "")
    assert str(message["Subject"]) == "Keberatan Anda telah diputuskan"


def escalation(task_id: str, kind: TaskKind, appraisal: str, to: list[str], due: datetime):
    return Notification(
        kind=NotificationKind.ESCALATION, task_id=task_id, task_kind=kind,
        appraisal_id=appraisal, recipients=to, due_at=due,
    )  # fmt: skip


async def test_the_one_who_missed_a_deadline_others_were_told_of_is_told(
    outbox: Sessions,
) -> None:
    store, notify = activities(outbox)
    employee, boss, superior = fresh_nip(), fresh_nip(), fresh_nip()
    task = open_task(employee, employee).model_copy(update={"escalated": True})
    env = ActivityEnvironment()
    await env.run(store.upsert_task, task)
    note = escalation(task.id, task.kind, task.appraisal_id, [boss, superior], task.due_at)
    await env.run(notify.notify, note)
    await env.run(notify.notify, note)  # retried
    async with outbox() as session:
        rows = await list_notices(session, task_id=task.id)
    assert sorted((n.kind, n.recipient_nip) for n in rows) == sorted(
        [
            (NoticeKind.ESCALATION, boss),
            (NoticeKind.ESCALATION, superior),
            (NoticeKind.MISSED, employee),
        ]
    )


async def test_the_appraiser_whose_task_the_superior_took_over_is_told(
    outbox: Sessions, smtp: SmtpServer
) -> None:
    people = await store_people(outbox)
    store, notify = activities(outbox)
    appraiser, superior = people.staff, people.head
    old = open_task(appraiser.nip, fresh_nip(), TaskKind.REVIEW)
    at = old.due_at
    new = old.model_copy(
        update={"id": f"{old.id}-x", "assignee_nip": superior.nip, "opened_at": at,
                "due_at": at + timedelta(days=7), "escalated": True},
    )  # fmt: skip
    env = ActivityEnvironment()
    superseded = {"status": TaskStatus.SUPERSEDED, "closed_at": at}
    # An earlier handover of the same task (a reassignment) is not the one the superior took.
    earlier = {**superseded, "id": f"{old.id}-before", "closed_at": at - timedelta(days=30)}
    await env.run(store.upsert_task, old.model_copy(update=earlier))
    await env.run(store.upsert_task, old.model_copy(update=superseded))
    await env.run(store.upsert_task, new)
    await env.run(
        notify.notify, escalation(new.id, new.kind, new.appraisal_id, [superior.nip], new.due_at)
    )
    async with outbox() as session:
        [missed] = await list_notices(session, recipient_nip=appraiser.nip)
    assert (missed.kind, missed.task_id, missed.due_at) == (NoticeKind.MISSED, old.id, old.due_at)
    # Sent though the task has moved on: the deadline was missed all the same.
    drained = await sender_for(outbox, config_for(smtp.port), Clock()).drain_once()
    assert missed.id in drained.sent
    [message] = smtp.catcher.to(appraiser.email or "")
    assert str(message["Subject"]) == "Tenggat terlewat: Penilaian akhir tahun"
    text = message.get_body(("plain",))
    assert text is not None and f"{LINK}/tasks/{old.id}" in text.get_content()


RENDERED = {
    Decision.TARGETS_RETURNED: (
        ("Rencana SKP Anda dikembalikan", "dikembalikan oleh pejabat penilai kinerja"),
        ("Your target plan (SKP) was returned", "returned your target plan (SKP) for revision"),
    ),
    Decision.TARGETS_APPROVED: (
        ("Rencana SKP Anda telah disetujui", "Sasaran kinerja Anda untuk tahun ini"),
        ("Your target plan (SKP) was approved", "Your targets for the year are set"),
    ),
    Decision.GRADE_RELEASED: (
        ("Nilai kinerja Anda telah ditetapkan", "Predikat kinerja tahunan Anda"),
        ("Your performance grade has been set", "grade for the year has been set"),
    ),
    Decision.APPEAL_DECIDED: (
        ("Keberatan Anda telah diputuskan", "keputusannya dapat dilihat"),
        ("Your appeal has been decided", "the decision can be seen in your appraisal"),
    ),
    Decision.MENTORSHIP_ARRANGED: (
        ("Anda telah mendapatkan mentor", "bersedia menjadi mentor Anda"),
        ("A mentor has been assigned to you", "has agreed to mentor you"),
    ),
    Decision.DEVELOPMENT_PLANNED: (
        ("Rencana pengembangan Anda telah disusun", "kursus atau pelatihan"),
        ("Your development plan has been made", "the courses or training"),
    ),
}


@pytest.mark.parametrize("decision", list(Decision))
@pytest.mark.parametrize("locale", ["id", "en"])
def test_each_decision_renders_in_both_languages(decision: Decision, locale: str) -> None:
    now = datetime.now(UTC)
    notice = Notice(
        id="x", recipient_nip="199001012020121001", kind=NoticeKind.DECISION,
        appraisal_id="appraisal-kota-2026-1", decision=decision, created_at=now,
        next_attempt_at=now,
    )  # fmt: skip
    message = Renderer(config_for(25, locale=locale), SENDER).message(notice, "a@kota.go.id")
    subject, said = RENDERED[decision][0 if locale == "id" else 1]
    assert str(message["Subject"]) == subject
    text, html = message.get_body(("plain",)), message.get_body(("html",))
    assert text is not None and html is not None
    link = f"{LINK}/appraisals/appraisal-kota-2026-1"
    opener = "Buka penilaian Anda" if locale == "id" else "Open your appraisal"
    assert said in text.get_content() and said in html.get_content()
    assert f"{opener}: {link}" in text.get_content()
    assert f'<a href="{link}">{opener}</a>' in html.get_content()


@pytest.mark.parametrize(
    ("locale", "subject", "said"),
    [
        ("id", "Tenggat terlewat: Penilaian akhir tahun", "telah dieskalasi kepada atasan Anda"),
        ("en", "Deadline missed: Year-end review", "has been escalated to your superiors"),
    ],
)
def test_a_missed_deadline_renders_in_both_languages(locale: str, subject: str, said: str) -> None:
    now = datetime(2026, 3, 31, 9, tzinfo=UTC)
    notice = Notice(
        id="y", recipient_nip="199001012020121001", kind=NoticeKind.MISSED, task_id="t9",
        task_kind=TaskKind.REVIEW, appraisal_id="a", due_at=now, created_at=now,
        next_attempt_at=now,
    )  # fmt: skip
    message = Renderer(config_for(25, locale=locale), SENDER).message(notice, "a@kota.go.id")
    assert str(message["Subject"]) == subject
    text = message.get_body(("plain",))
    assert text is not None and said in text.get_content()
    assert "31 " in text.get_content() and f"{LINK}/tasks/t9" in text.get_content()
