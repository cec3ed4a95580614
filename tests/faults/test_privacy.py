"""A whole small cycle with every log record captured (root logger at DEBUG, the SDK core's
logs forwarded too) and the notifier kept: no name from the roster, no comment and no report
text appears in any log line, notice or search attribute. NIPs may."""

from __future__ import annotations

import asyncio
import logging
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.runtime import (
    LogForwardingConfig,
    LoggingConfig,
    Runtime,
    TelemetryConfig,
    TelemetryFilter,
)

from appraisal_engine.activities.notify import LoggingNotifier
from appraisal_engine.appraisal.servers import start_dev_server
from appraisal_engine.appraisal.worker import build_worker
from appraisal_engine.client.starters import launch_cycle
from appraisal_engine.domain.presets import WANGGAR
from appraisal_engine.domain.tasks import TaskKind
from appraisal_engine.simulator.roster import generate_roster
from appraisal_engine.store.db import make_engine, make_session_factory
from appraisal_engine.workflows import ids
from tests.faults.checks import cycle_query, inbox, store_roster
from tests.faults.marked_cycle import SecretActors, Secrets, drive_marked_cycle
from tests.workflows.cycle_driver import APPEALS_OFFICER, REGIONAL_HEAD

pytestmark = [pytest.mark.slow, pytest.mark.faults]

SECOND = 1 / 86_400
APPEAL_RULE = WANGGAR.tasks[TaskKind.APPEAL_DECIDE].model_copy(
    update={"due_days": 3 * SECOND, "remind_before_days": 2 * SECOND, "escalation_days": SECOND}
)
POLICY = WANGGAR.model_copy(
    update={
        "regional_head_nip": REGIONAL_HEAD,
        "appeals_officer_nip": APPEALS_OFFICER,
        "appeal_window_days": 6 * SECOND,
        "tasks": {**WANGGAR.tasks, TaskKind.APPEAL_DECIDE: APPEAL_RULE},
    }
)
# The SQL driver's own DEBUG trace prints every statement's parameters, whatever they hold;
# it is off unless a deployment turns DEBUG on for it, and it says nothing about this code.
DRIVER_TRACE = ("aiosqlite", "asyncpg")


async def test_no_name_comment_or_report_in_logs_or_search_attributes(
    tmp_path: Path, read_model_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    await asyncio.wait_for(_scan(tmp_path, read_model_url, caplog), timeout=150)


async def _scan(tmp_path: Path, url: str, caplog: pytest.LogCaptureFixture) -> None:
    secrets = Secrets()
    engine = make_engine(url)
    sessions = make_session_factory(engine)
    runtime = Runtime(
        telemetry=TelemetryConfig(
            logging=LoggingConfig(
                filter=TelemetryFilter(core_level="INFO", other_level="INFO"),
                forwarding=LogForwardingConfig(logger=logging.getLogger("temporalio.core")),
            )
        )
    )
    env = await start_dev_server(db_file=str(tmp_path / "temporal.db"))
    try:
        client = await Client.connect(
            env.client.service_client.config.target_host,
            data_converter=pydantic_data_converter,
            runtime=runtime,
        )
        queue = f"privacy-{uuid.uuid4().hex[:8]}"
        notifier = LoggingNotifier()
        employees = secrets.roster(generate_roster(12, units=2, seed=9))
        org = f"kota-{uuid.uuid4().hex[:6]}"
        roster_id = await store_roster(sessions, org, employees)
        async with build_worker(client, queue, sessions, notifier=notifier):
            cycle = await launch_cycle(
                client,
                org=org,
                year=2033,
                roster_id=roster_id,
                policy=POLICY,
                task_queue=queue,
                year_start=datetime.now(UTC) - timedelta(days=366),
                batch_size=5,
            )
            cycle_id = ids.cycle_id(org, 2033)
            actors = SecretActors(POLICY, secrets)
            await drive_marked_cycle(client, sessions, cycle, cycle_id, actors)
            await asyncio.wait_for(cycle.result(), timeout=30)
        attributes = [
            (e.id, e.raw_info.SerializeToString().decode("latin-1"))
            async for e in client.list_workflows(cycle_query(cycle_id))
        ]
        cycle_info = (await cycle.describe()).raw_description.SerializeToString()
        attributes.append((cycle.id, cycle_info.decode("latin-1")))
    finally:
        await env.shutdown()
        await engine.dispose()

    # The texts did reach the system: the scan below looks for things that are really there.
    tasks = await inbox(sessions)
    assert any(secrets.comment in str(t.detail) for t in tasks)  # a returned plan's comment
    assert len(attributes) == len(employees) + 1
    assert notifier.sent, "no notice went out: the notifier was not exercised"
    decided = [t for t in tasks if t.kind is TaskKind.APPEAL_DECIDE]
    assert sorted(t.status.value for t in decided) == ["done", "missing"]
    assert any(e.nip in r.getMessage() for r in caplog.records for e in employees)  # NIPs may
    # Everything was captured: the SDK's DEBUG records, the notices, the core's forwarded logs.
    loggers = {(r.name.split("-")[0], r.levelno) for r in caplog.records}
    assert {("temporalio.worker._activity", logging.DEBUG), ("temporalio.core", logging.INFO)} <= (
        loggers
    ), sorted(loggers)
    assert any(r.name == "appraisal_engine.activities.notify" for r in caplog.records)

    names = [e.name for e in employees]
    leaks: list[str] = []
    for record in caplog.records:
        if record.name.split(".")[0] in DRIVER_TRACE:
            continue
        text = _everything_in(record)
        leaks += [f"log {record.name}: {what}" for what in _found(text, secrets, names)]
    for note in notifier.sent:
        leaks += [
            f"notice {note.task_id}: {w}" for w in _found(note.model_dump_json(), secrets, names)
        ]
    for workflow_id, info in attributes:
        leaks += [f"visibility of {workflow_id}: {w}" for w in _found(info, secrets, names)]
    assert leaks == []


def _everything_in(record: logging.LogRecord) -> str:
    """The message, its arguments, extras (workflow and activity info) and any traceback."""
    parts = [record.getMessage(), repr(record.args), repr(vars(record))]
    if record.exc_info:
        parts.append(logging.Formatter().formatException(record.exc_info))
    return "\n".join(parts)


def _found(text: str, secrets: Secrets, names: list[str]) -> list[str]:
    found = [kind for kind, marker in secrets.markers.items() if marker in text]
    return found + [f"name {n!r}" for n in names if n in text]
