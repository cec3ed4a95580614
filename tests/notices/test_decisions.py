"""A real appraisal's year under time-skipping, with its plan returned once, a grade that calls
for a mentor and an appeal: the employee is told of each decision once, in Bahasa Indonesia,
with the appraisal's link, and nobody else is told of them. The notices come from the
workflow's own audit writes (APPEND_AUDIT)."""

from __future__ import annotations

from collections import Counter
from email.message import EmailMessage

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from appraisal_engine.domain.employee import Employee, PositionLevel
from appraisal_engine.domain.notices import NoticeKind, NoticeStatus
from appraisal_engine.domain.outcome import OutcomeKind
from appraisal_engine.domain.presets import NATIONAL
from appraisal_engine.domain.ratings import Rating
from appraisal_engine.domain.stages import Stage
from appraisal_engine.domain.tasks import TaskKind
from appraisal_engine.store.repositories.notices import list_notices
from appraisal_engine.store.repositories.rosters import add_roster
from appraisal_engine.workflows.appraisal.workflow import AppraisalWorkflow
from appraisal_engine.workflows.messages import FileAppealInput
from tests.notices.conftest import Clock, SmtpServer, config_for, sender_for
from tests.workflows.conftest import Running
from tests.workflows.driver import (
    EMPLOYEE,
    SUPERIOR,
    SUPERVISOR,
    Actors,
    appraisal_input,
    drive,
    start,
)

# This test's own mentor: the one the workflow tests share keeps their room (a mentor's load is
# counted across the database, and this year books one).
MENTOR = "198203152006041003"
DOMAIN = "dukcapil.kota.go.id"
ADDRESSES = {
    EMPLOYEE: f"staf@{DOMAIN}",
    SUPERVISOR: f"kabid@{DOMAIN}",
    SUPERIOR: f"kadis@{DOMAIN}",
    MENTOR: f"kasi@{DOMAIN}",
}
DECISIONS = {
    "Rencana SKP Anda dikembalikan",
    "Rencana SKP Anda telah disetujui",
    "Nilai kinerja Anda telah ditetapkan",
    "Keberatan Anda telah diputuskan",
    "Anda telah mendapatkan mentor",
}


async def store_unit(sessions: async_sessionmaker[AsyncSession], roster_id: str) -> None:
    """The employee's unit with addresses: the mentor has room and is of the same unit."""

    def person(nip: str, level: PositionLevel, boss: str | None) -> Employee:
        return Employee(
            nip=nip, name="Pegawai", unit_code="DUKCAPIL", unit_name="Dinas Dukcapil",
            position="Staf", position_level=level, supervisor_nip=boss, email=ADDRESSES[nip],
        )  # fmt: skip

    people = [
        person(SUPERIOR, PositionLevel.JPT, None),
        person(SUPERVISOR, PositionLevel.ADMINISTRATOR, SUPERIOR),
        person(MENTOR, PositionLevel.PENGAWAS, SUPERVISOR),
        person(EMPLOYEE, PositionLevel.PELAKSANA, MENTOR),
    ]
    async with sessions() as session, session.begin():
        await add_roster(session, roster_id, "kota", people, roster_id)


def bodies(message: EmailMessage) -> tuple[str, str]:
    text, html = message.get_body(("plain",)), message.get_body(("html",))
    assert text is not None and html is not None
    return text.get_content(), html.get_content()


async def test_each_decision_reaches_the_employee_once_with_the_appraisals_link(
    outbox: async_sessionmaker[AsyncSession], smtp: SmtpServer, running: Running
) -> None:
    roster = f"kota-decisions-{smtp.port}"
    await store_unit(outbox, roster)
    actors = Actors(NATIONAL, results=Rating.BELOW)
    actors.returns_left = 1
    handle = await start(running, appraisal_input(NATIONAL, roster_id=roster, peer_nips=[]))
    await drive(running, handle, actors, until=lambda s: s.stage is Stage.APPEAL)
    await handle.execute_update(
        AppraisalWorkflow.file_appeal,
        FileAppealInput(actor_nip=EMPLOYEE, reason="Bukti dukung triwulan IV belum dinilai"),
    )
    state = await drive(running, handle, actors)
    assert state.outcome is not None and state.outcome.kind is OutcomeKind.MENTORSHIP

    sender = sender_for(outbox, config_for(smtp.port), Clock())
    while (await sender.drain_once()).claimed:
        pass
    told = Counter(
        (rcpt, str(m["Subject"]))
        for rcpts, m in smtp.catcher.messages
        for rcpt in rcpts
        if str(m["Subject"]) in DECISIONS
    )
    assert told == Counter({(ADDRESSES[EMPLOYEE], subject): 1 for subject in DECISIONS})
    link = f"https://kinerja.kota.go.id/appraisals/{handle.id}"
    for message in smtp.catcher.to(ADDRESSES[EMPLOYEE]):
        if str(message["Subject"]) not in DECISIONS:
            continue
        text, html = bodies(message)
        assert f"Buka penilaian Anda: {link}" in text and f'href="{link}"' in html
        assert "Perjelas IKI T2" not in text + html  # the supervisor's comment stays in the app
        assert "Tenggat" not in text  # a decision has no deadline
    # The offer is the mentor's task: announced to them as a new task (skipped here, as they
    # accepted before the sender ran), never as a decision of their own.
    async with outbox() as session:
        to_mentor = await list_notices(session, recipient_nip=MENTOR)
    assert [(n.kind, n.task_kind, n.status) for n in to_mentor] == [
        (NoticeKind.TASK_OPENED, TaskKind.MENTORSHIP_ACCEPT, NoticeStatus.SKIPPED)
    ]
