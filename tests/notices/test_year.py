"""A real appraisal under time-skipping: its draft task opens, is reminded, escalated (the
employee who missed it is told too) and flagged overdue; the sender then delivers each notice
once, to the right people, with the task's link. An approval the superior takes over tells
the appraiser who missed it, with a link to the task they held. The notices come from the
workflow's own steps (UPSERT_TASK and NOTIFY)."""

from __future__ import annotations

from collections import Counter

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from appraisal_engine.domain.employee import Employee, PositionLevel
from appraisal_engine.domain.presets import NATIONAL
from appraisal_engine.domain.tasks import TaskKind
from appraisal_engine.store.repositories.rosters import add_roster
from appraisal_engine.workflows.messages import AppraisalState
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

ADDRESSES = {
    EMPLOYEE: "staf@dukcapil.kota.go.id",
    SUPERVISOR: "kabid@dukcapil.kota.go.id",
    SUPERIOR: "kadis@dukcapil.kota.go.id",
}


async def store_contacts(sessions: async_sessionmaker[AsyncSession], roster_id: str) -> None:
    people = [
        Employee(
            nip=nip,
            name="Pegawai",
            unit_code="DISDUK",
            unit_name="Dinas Dukcapil",
            position="Staf",
            position_level=PositionLevel.PELAKSANA,
            email=address,
        )
        for nip, address in ADDRESSES.items()
    ]
    async with sessions() as session, session.begin():
        await add_roster(session, roster_id, "kota", people, roster_id)


async def test_a_years_deadlines_deliver_each_notice_once(
    outbox: async_sessionmaker[AsyncSession], smtp: SmtpServer, running: Running
) -> None:
    actors = Actors(NATIONAL)
    actors.skip = lambda t: t.kind is TaskKind.TARGETS_DRAFT
    handle = await start(running, appraisal_input(NATIONAL))
    state = await drive(running, handle, actors, until=lambda s: "overdue:targets.draft" in s.flags)
    [draft] = state.tasks
    await handle.terminate()
    await store_contacts(outbox, f"kota-{handle.id}")
    sender = sender_for(outbox, config_for(smtp.port), Clock())
    while (await sender.drain_once()).claimed:
        pass
    mail = smtp.catcher.messages
    got = Counter((rcpt, str(m["Subject"]).split(":")[0]) for rcpts, m in mail for rcpt in rcpts)
    assert got == Counter({
        (ADDRESSES[EMPLOYEE], "Tugas baru"): 1,
        (ADDRESSES[EMPLOYEE], "Pengingat"): 1,
        (ADDRESSES[SUPERVISOR], "Eskalasi"): 1,
        (ADDRESSES[SUPERIOR], "Eskalasi"): 1,
        (ADDRESSES[EMPLOYEE], "Tenggat terlewat"): 1,
        (ADDRESSES[EMPLOYEE], "Terlambat"): 1,
        (ADDRESSES[SUPERIOR], "Terlambat"): 1,
    })  # fmt: skip
    link = f"https://kinerja.kota.go.id/tasks/{draft.id}"
    for _, message in mail:
        text, html = message.get_body(("plain",)), message.get_body(("html",))
        assert text is not None and link in text.get_content()
        assert html is not None and f'href="{link}"' in html.get_content()


async def test_an_approval_the_superior_takes_over_tells_the_appraiser_who_missed_it(
    outbox: async_sessionmaker[AsyncSession], smtp: SmtpServer, running: Running
) -> None:
    actors = Actors(NATIONAL)
    actors.skip = lambda t: t.kind is TaskKind.TARGETS_APPROVE
    handle = await start(running, appraisal_input(NATIONAL))

    def taken_over(state: AppraisalState) -> bool:
        return any(t.assignee_nip == SUPERIOR for t in state.tasks)

    state = await drive(running, handle, actors, until=taken_over)
    await handle.terminate()
    [missed] = [t for t in state.tasks if t.assignee_nip == SUPERVISOR]
    await store_contacts(outbox, f"kota-{handle.id}")
    sender = sender_for(outbox, config_for(smtp.port), Clock())
    while (await sender.drain_once()).claimed:
        pass
    subjects = Counter(
        (rcpt, str(m["Subject"])) for rcpts, m in smtp.catcher.messages for rcpt in rcpts
    )
    task = "Persetujuan atau pengembalian rencana SKP"
    assert subjects[(ADDRESSES[SUPERVISOR], f"Tenggat terlewat: {task}")] == 1
    assert subjects[(ADDRESSES[SUPERIOR], f"Eskalasi: {task} melewati tenggat")] == 1
    [told] = [m for m in smtp.catcher.to(ADDRESSES[SUPERVISOR]) if "terlewat" in str(m["Subject"])]
    text = told.get_body(("plain",))
    link = f"https://kinerja.kota.go.id/tasks/{missed.id}"
    assert text is not None and link in text.get_content()
