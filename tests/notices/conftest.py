"""The notice tests' fixtures: a real SMTP server (aiosmtpd) on a free port that catches mail
and can refuse chosen recipients, a chat gateway taking signed webhooks (receiver.py), an empty
outbox, and people with and without addresses."""

from __future__ import annotations

import random
import time
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from pydantic import SecretStr
from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from appraisal_engine.activities.notify import NotifyActivities
from appraisal_engine.activities.read_model import ReadModelActivities
from appraisal_engine.domain.employee import Employee, PositionLevel
from appraisal_engine.domain.nip import parse_nip
from appraisal_engine.domain.records import TaskRecord
from appraisal_engine.domain.tasks import TaskKind
from appraisal_engine.notices.batch import Drained
from appraisal_engine.notices.config import NoticeConfig, SmtpConfig, WebhookConfig
from appraisal_engine.notices.render import Renderer
from appraisal_engine.notices.sender import NoticeSender
from appraisal_engine.notices.smtp import SmtpChannel
from appraisal_engine.notices.webhook import WebhookChannel
from appraisal_engine.store.models import NoticeRow
from appraisal_engine.store.repositories.rosters import add_roster
from tests.notices.receiver import SECRET, GatewayServer
from tests.ports import free_port
from tests.workflows.conftest import running  # noqa: F401 (a worker, for the year's test)

SENDER = "penilaian@bkpsdm.kota.go.id"


def fresh_nip() -> str:
    """A valid NIP no other test uses, so the newest roster holding it is this test's."""
    while True:
        r = random.Random()
        text = (
            f"19{r.randint(60, 99)}{r.randint(1, 12):02d}{r.randint(1, 28):02d}"
            f"20{r.randint(10, 20)}{r.randint(1, 12):02d}{r.randint(1, 2)}{r.randint(1, 999):03d}"
        )
        try:
            parse_nip(text)
        except ValueError:
            continue
        return text


@dataclass
class Catcher:
    """An aiosmtpd handler: keeps each accepted message, refuses the addresses in `refuse`."""

    refuse: set[str] = field(default_factory=set)
    messages: list[tuple[list[str], EmailMessage]] = field(default_factory=list)

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        if address in self.refuse:
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        parsed = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        self.messages.append((list(envelope.rcpt_tos), parsed))
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[EmailMessage]:
        """The messages delivered to one address."""
        return [m for rcpts, m in self.messages if address in rcpts]


class SmtpServer:
    """A real SMTP server on 127.0.0.1 that can be stopped and started again on its port."""

    def __init__(self) -> None:
        self.port = free_port()
        self.catcher = Catcher()
        self._controller: Controller | None = None

    def start(self) -> None:
        self._controller = Controller(self.catcher, hostname="127.0.0.1", port=self.port)
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
async def gateway() -> AsyncIterator[GatewayServer]:
    server = GatewayServer()
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
async def outbox(
    session_factory: async_sessionmaker[AsyncSession],
) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    """Sessions on the test database with the outbox empty before and after: a sender drains
    every due notice, so a test sees only its own."""

    async def empty() -> None:
        async with session_factory() as session, session.begin():
            await session.execute(delete(NoticeRow))

    await empty()
    yield session_factory
    await empty()


class Clock:
    """A sender's clock the test moves on."""

    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta) -> None:
        self.now += delta


def config_for(port: int, **changes: Any) -> NoticeConfig:
    smtp = SmtpConfig(host="127.0.0.1", port=port, starttls=False, sender=SENDER, timeout_seconds=5)
    return NoticeConfig(smtp=smtp, public_url="https://kinerja.kota.go.id", **changes)


def webhook_for(gateway: GatewayServer, secret: str = SECRET) -> WebhookConfig:
    return WebhookConfig(url=SecretStr(gateway.url), secret=SecretStr(secret), timeout_seconds=5)


def sender_for(
    sessions: async_sessionmaker[AsyncSession],
    config: NoticeConfig,
    clock: Clock,
    *,
    webhook_clock: Callable[[], float] = time.time,
) -> NoticeSender:
    """A sender through the configured channels (SMTP, the webhook, or both)."""
    return NoticeSender(
        sessions,
        SmtpChannel(config.smtp) if config.smtp else None,
        config,
        Renderer(config, SENDER),
        webhook=WebhookChannel(config.webhook, clock=webhook_clock) if config.webhook else None,
        now=clock,
    )


async def drain(sender: NoticeSender) -> list[Drained]:
    """Drain until a batch claims nothing and adds no webhook rows."""
    rounds = []
    while True:
        drained = await sender.drain_once()
        rounds.append(drained)
        if drained.claimed == 0 and not drained.forked:
            return rounds


@dataclass
class People:
    """A unit head and two staff of one roster: with an address, with another, without."""

    head: Employee
    staff: Employee
    silent: Employee

    @property
    def all(self) -> list[Employee]:
        return [self.head, self.staff, self.silent]


async def store_people(sessions: async_sessionmaker[AsyncSession]) -> People:
    head_nip, staff_nip, silent_nip = fresh_nip(), fresh_nip(), fresh_nip()

    def person(nip: str, level: PositionLevel, boss: str | None, email: str | None) -> Employee:
        return Employee(
            nip=nip, name=f"Pegawai {nip[-3:]}", unit_code="DISDUK", unit_name="Dinas Dukcapil",
            position="Staf", position_level=level, supervisor_nip=boss, email=email,
            phone="+6281234567890" if email else None,
        )  # fmt: skip

    domain = "dukcapil.kota.go.id"  # a real-looking domain: email-validator refuses .test
    people = People(
        head=person(head_nip, PositionLevel.JPT, None, f"kadis.{head_nip[-4:]}@{domain}"),
        staff=person(
            staff_nip,
            PositionLevel.PELAKSANA,
            head_nip,
            f"ani.{staff_nip[-4:]}@{domain}",
        ),
        silent=person(silent_nip, PositionLevel.PELAKSANA, head_nip, None),
    )
    roster_id = f"kota-{head_nip[-8:]}{random.randint(0, 10**6)}"
    async with sessions() as session, session.begin():
        await add_roster(session, roster_id, "kota", people.all, roster_id)
    return people


def open_task(assignee: str, employee: str, kind: TaskKind = TaskKind.SELF_REPORT) -> TaskRecord:
    now = datetime.now(UTC).replace(microsecond=0)
    appraisal = f"appraisal-cycle-kota-2026-{employee}"
    return TaskRecord(
        id=f"{appraisal}-t{random.randint(1, 10**9)}", appraisal_id=appraisal,
        cycle_id="cycle-kota-2026", employee_nip=employee, kind=kind, assignee_nip=assignee,
        opened_at=now, due_at=now + timedelta(days=14), period=1,
    )  # fmt: skip


def activities(
    sessions: async_sessionmaker[AsyncSession],
) -> tuple[ReadModelActivities, NotifyActivities]:
    return ReadModelActivities(sessions), NotifyActivities(sessions)
