"""Draining queued notices: N task-opened notices in the outbox, each for a person with an
address, sent by one sender to a local SMTP server (aiosmtpd, which accepts and drops them);
prints messages per second. SQLite file by default, DATABASE_URL for PostgreSQL.

    .venv/bin/python -m bench.notices --notices 20000 --batch 50
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller

from appraisal_engine.domain.employee import Employee, PositionLevel
from appraisal_engine.domain.notices import opening_notice
from appraisal_engine.domain.records import TaskRecord
from appraisal_engine.domain.tasks import TaskKind
from appraisal_engine.notices.config import NoticeConfig, SmtpConfig
from appraisal_engine.notices.render import Renderer
from appraisal_engine.notices.sender import NoticeSender
from appraisal_engine.notices.smtp import SmtpChannel
from appraisal_engine.store.db import make_engine, make_session_factory
from appraisal_engine.store.migrate import upgrade
from appraisal_engine.store.repositories import notices, tasks
from appraisal_engine.store.repositories.rosters import add_roster

SENDER = "penilaian@kota-contoh.example"


class Counting:
    """Accepts every message and counts it."""

    def __init__(self) -> None:
        self.count = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.count += len(envelope.rcpt_tos)
        return "250 OK"


def _nip(i: int) -> str:
    """A valid NIP per index: the sequence, then the birth day, then the appointment month vary."""
    seq, rest = 1 + i % 999, i // 999
    day, month = 1 + rest % 28, 1 + (rest // 28) % 12
    return f"198001{day:02d}2010{month:02d}1{seq:03d}"


async def main(count: int, batch: int) -> None:
    url = os.environ.get("DATABASE_URL") or (
        f"sqlite+aiosqlite:///{Path(tempfile.mkdtemp()) / 'bench.db'}"
    )
    await upgrade(url)
    engine = make_engine(url)
    sessions = make_session_factory(engine)
    now = datetime.now(UTC)
    run = now.strftime("%H%M%S")
    people = [
        Employee(
            nip=_nip(i),
            name="Pegawai",
            unit_code="U",
            unit_name="Unit",
            position="Staf",
            position_level=PositionLevel.PELAKSANA,
            email=f"pegawai.{i}@kota-contoh.example",
        )
        for i in range(count)
    ]
    records = [
        TaskRecord(
            id=f"bench-{run}-{i}",
            appraisal_id=f"bench-{run}-{i}",
            cycle_id=None,
            employee_nip=p.nip,
            kind=TaskKind.TARGETS_DRAFT,
            assignee_nip=p.nip,
            opened_at=now,
            due_at=now + timedelta(days=14),
        )
        for i, p in enumerate(people)
    ]
    async with sessions() as session, session.begin():
        await add_roster(session, f"bench-{run}", "bench", people, f"bench-{run}")
        for record in records:
            await tasks.upsert_task(session, record)
        await notices.add_notices(session, [n for r in records if (n := opening_notice(r, now))])
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    handler = Counting()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        smtp = SmtpConfig(host="127.0.0.1", port=port, starttls=False, sender=SENDER)
        config = NoticeConfig(smtp=smtp, batch_size=batch)
        sender = NoticeSender(sessions, SmtpChannel(smtp), config, Renderer(config, SENDER))
        started = time.perf_counter()
        while (await sender.drain_once()).claimed:
            pass
        took = time.perf_counter() - started
    finally:
        controller.stop()
        await engine.dispose()
    dialect = url.split(":", 1)[0]
    print(
        f"{handler.count} notices sent in {took:.1f} s: {handler.count / took:.0f} messages/s "
        f"(batch {batch}, {dialect})"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notices", type=int, default=20_000)
    parser.add_argument("--batch", type=int, default=50)
    args = parser.parse_args()
    asyncio.run(main(args.notices, args.batch))
