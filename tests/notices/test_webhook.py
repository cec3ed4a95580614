"""The webhook channel against a real HTTP gateway (uvicorn) that checks every request's
signature and timestamp: each notice delivered once to the person's phone, after a 5xx
retried; a 4xx failed without holding the others; a bad signature or an old timestamp refused;
neither the phone, nor an address, nor the URL's token in the logs."""

from __future__ import annotations

import logging
import re
import time
from datetime import timedelta

import pytest
from pydantic import SecretStr
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio.testing import ActivityEnvironment

from appraisal_engine.appraisal.notices import notice_sender
from appraisal_engine.appraisal.settings import Settings
from appraisal_engine.domain.notices import NoticeChannel, NoticeStatus
from appraisal_engine.notices.config import NoticeConfig, WebhookConfig
from appraisal_engine.notices.webhook import outcome, signature
from appraisal_engine.store.repositories.notices import list_notices
from tests.notices.conftest import (
    Clock,
    SmtpServer,
    activities,
    config_for,
    drain,
    open_task,
    sender_for,
    store_people,
    webhook_for,
)
from tests.notices.receiver import SECRET, TOKEN, GatewayServer, verify
from tests.notices.test_sender import EMAIL, PHONE, reminder

Sessions = async_sessionmaker[AsyncSession]


async def channels(sessions: Sessions, task_id: str) -> dict[NoticeChannel, NoticeStatus]:
    async with sessions() as session:
        return {n.channel: n.status for n in await list_notices(session, task_id=task_id)}


def webhook_only(webhook: WebhookConfig) -> NoticeConfig:
    return NoticeConfig(smtp=None, webhook=webhook, public_url="https://kinerja.kota.go.id")


def test_the_signature_is_what_the_guide_tells_a_gateway_to_check() -> None:
    body, now = b'{"id":"n1"}', str(int(time.time()))
    header = signature(b"k" * 32, now, body)
    assert header.startswith("sha256=") and len(header) == 7 + 64
    assert verify(b"k" * 32, now, body, header)
    assert not verify(b"k" * 32, now, body + b" ", header)
    assert not verify(b"k" * 32, str(int(time.time()) - 600), body, header)


@pytest.mark.parametrize(
    ("status", "permanent"),
    [(400, True), (401, True), (404, True), (410, True), (408, False), (429, False),
     (500, False), (503, False), (302, False)],
)  # fmt: skip
def test_the_gateways_answers(status: int, permanent: bool) -> None:
    assert outcome(200) is None and outcome(204) is None
    error = outcome(status)
    assert error is not None and error.permanent is permanent and not error.connection
    assert error.reason == f"HTTP {status}"


async def test_a_5xx_is_retried_and_the_notice_delivered_once(
    outbox: Sessions, smtp: SmtpServer, gateway: GatewayServer
) -> None:
    people = await store_people(outbox)
    store, _ = activities(outbox)
    task = open_task(people.staff.nip, people.staff.nip)
    await ActivityEnvironment().run(store.upsert_task, task)
    gateway.gateway.answers = [500]
    clock = Clock()
    config = config_for(smtp.port, webhook=webhook_for(gateway))
    sender = sender_for(outbox, config, clock)
    first = await drain(sender)
    assert sum(len(d.sent) for d in first) == 1  # the e-mail
    assert sum(len(d.retried) for d in first) == 1  # the chat message, answered 500
    assert await channels(outbox, task.id) == {
        NoticeChannel.EMAIL: NoticeStatus.SENT,
        NoticeChannel.WEBHOOK: NoticeStatus.PENDING,
    }
    clock.advance(config.retry_base)
    assert sum(len(d.sent) for d in await drain(sender)) == 1
    clock.advance(timedelta(days=1))
    assert sum(d.claimed for d in await drain(sender)) == 0
    assert [r["id"] for r in gateway.gateway.requests] == [
        f"{task.id}:task_opened:{people.staff.nip}:webhook"
    ] * 2
    [payload] = gateway.gateway.accepted
    link = f"https://kinerja.kota.go.id/tasks/{task.id}"
    assert payload["kind"] == "task_opened" and payload["recipient_nip"] == people.staff.nip
    assert payload["phone"] == people.staff.phone and payload["link"] == link
    assert (
        payload["locale"] == "id" and payload["subject"] == "Tugas baru: Laporan mandiri realisasi"
    )
    assert payload["message"].startswith("Tugas baru: Laporan mandiri realisasi\n\n")
    assert link in payload["message"]
    assert gateway.gateway.unsigned == 0
    assert len(smtp.catcher.to(people.staff.email or "")) == 1
    assert await channels(outbox, task.id) == {
        NoticeChannel.EMAIL: NoticeStatus.SENT,
        NoticeChannel.WEBHOOK: NoticeStatus.SENT,
    }


async def test_a_4xx_fails_alone(outbox: Sessions, gateway: GatewayServer) -> None:
    people = await store_people(outbox)
    store, _ = activities(outbox)
    refused = open_task(people.head.nip, people.staff.nip)
    fine = open_task(people.staff.nip, people.staff.nip)
    for task in (refused, fine):
        await ActivityEnvironment().run(store.upsert_task, task)
    gateway.gateway.refuse.add(people.head.nip)
    config = webhook_only(webhook_for(gateway))
    rounds = await drain(sender_for(outbox, config, Clock()))
    assert sum(len(d.failed) for d in rounds) == 1 and sum(len(d.sent) for d in rounds) == 1
    assert await channels(outbox, refused.id) == {
        NoticeChannel.EMAIL: NoticeStatus.SKIPPED,  # no SMTP configured: recorded, not sent
        NoticeChannel.WEBHOOK: NoticeStatus.FAILED,
    }
    assert await channels(outbox, fine.id) == {
        NoticeChannel.EMAIL: NoticeStatus.SKIPPED,
        NoticeChannel.WEBHOOK: NoticeStatus.SENT,
    }
    async with outbox() as session:
        rows = await list_notices(session, task_id=refused.id)
    assert {n.channel: n.last_error for n in rows} == {
        NoticeChannel.EMAIL: "NoChannel",
        NoticeChannel.WEBHOOK: "HTTP 400",
    }
    assert [p["recipient_nip"] for p in gateway.gateway.accepted] == [people.staff.nip]


async def test_no_phone_no_chat_message(outbox: Sessions, gateway: GatewayServer) -> None:
    people = await store_people(outbox)
    store, _ = activities(outbox)
    task = open_task(people.silent.nip, people.silent.nip)
    await ActivityEnvironment().run(store.upsert_task, task)
    config = webhook_only(webhook_for(gateway))
    await drain(sender_for(outbox, config, Clock()))
    assert await channels(outbox, task.id) == {NoticeChannel.EMAIL: NoticeStatus.SKIPPED}
    assert gateway.gateway.requests == []


@pytest.mark.parametrize("wrong", ["secret", "clock"])
async def test_a_gateway_refuses_a_bad_signature_or_an_old_timestamp(
    outbox: Sessions, gateway: GatewayServer, wrong: str
) -> None:
    people = await store_people(outbox)
    store, _ = activities(outbox)
    task = open_task(people.staff.nip, people.staff.nip)
    await ActivityEnvironment().run(store.upsert_task, task)
    secret = "another-secret-of-at-least-32-characters" if wrong == "secret" else SECRET
    config = webhook_only(webhook_for(gateway, secret))
    stale = (lambda: time.time() - 3600) if wrong == "clock" else time.time
    await drain(sender_for(outbox, config, Clock(), webhook_clock=stale))
    assert gateway.gateway.unsigned == 1 and gateway.gateway.accepted == []
    assert (await channels(outbox, task.id))[NoticeChannel.WEBHOOK] is NoticeStatus.FAILED


async def test_no_phone_address_or_token_in_logs_or_errors(
    outbox: Sessions, smtp: SmtpServer, gateway: GatewayServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    people = await store_people(outbox)
    store, notify = activities(outbox)
    gateway.gateway.refuse.add(people.head.nip)
    gateway.gateway.answers = [503, 429]
    for p in people.all:
        task = open_task(p.nip, p.nip)
        await ActivityEnvironment().run(store.upsert_task, task)
        await ActivityEnvironment().run(notify.notify, reminder(task))
    clock = Clock()
    config = config_for(smtp.port, webhook=webhook_for(gateway))
    sender = sender_for(outbox, config, clock)
    await drain(sender)
    await gateway.stop()  # the gateway down: connection refused
    more = open_task(people.staff.nip, people.staff.nip)
    await ActivityEnvironment().run(store.upsert_task, more)
    clock.advance(timedelta(hours=2))
    await drain(sender)
    ours = [
        r for r in caplog.records if r.name.startswith(("appraisal_engine", "httpx", "uvicorn"))
    ]
    assert any("sent" in r.getMessage() for r in ours)
    async with outbox() as session:
        errors = [n.last_error or "" for n in await list_notices(session)]
    assert "ConnectError" in errors and "HTTP 400" in errors
    text = "\n".join([r.getMessage() for r in ours] + errors)
    assert EMAIL.findall(text) == [] and PHONE.findall(text) == []
    assert TOKEN not in text and SECRET not in text and "hooks/appraisal" not in text


def test_webhook_settings() -> None:
    assert Settings(_env_file=None).notice_config().webhook is None
    settings = Settings(
        _env_file=None, webhook_url=f"https://wa.kota.go.id/hook?token={TOKEN}",
        webhook_secret=SecretStr(SECRET), webhook_timeout_seconds=3, notice_digest_hour=16,
    )  # fmt: skip
    config = settings.notice_config()
    assert config.webhook is not None and config.webhook.timeout_seconds == 3
    assert config.digest_hour == 16
    assert TOKEN not in repr(config) and SECRET not in repr(config)
    for url, secret in [("http://wa.kota.go.id/hook", SECRET), ("https://wa.kota.go.id", "short")]:
        bad = Settings(_env_file=None, webhook_url=url, webhook_secret=SecretStr(secret))
        with pytest.raises(ValueError, match="WEBHOOK_") as caught:
            bad.notice_config()
        assert "wa.kota.go.id" not in str(caught.value)


def test_the_phone_pattern_finds_what_the_roster_stores() -> None:
    assert re.fullmatch(PHONE, "+6281234567890")


async def test_the_worker_runs_the_sender_for_either_channel(
    outbox: Sessions, gateway: GatewayServer
) -> None:
    async with notice_sender(outbox, NoticeConfig(smtp=None)) as none:
        assert none is None
    async with notice_sender(outbox, webhook_only(webhook_for(gateway))) as sender:
        assert sender is not None
