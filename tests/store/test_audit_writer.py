"""The retrying appender: retries lost races, gives up after its attempts, passes other errors."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from appraisal_engine.domain.records import AuditEvent
from appraisal_engine.store import audit_writer
from appraisal_engine.store.audit_writer import append_event_with_retry
from appraisal_engine.store.models import AuditEventRow
from appraisal_engine.store.repositories.audit import Heads
from tests.store.builders import event

Factory = async_sessionmaker[AsyncSession]


def _flaky(errors: list[Exception], calls: list[str]) -> Any:
    """An append_event that raises the given errors first, then returns 7."""

    async def append(session: AsyncSession, record: AuditEvent, heads: Heads) -> int:
        calls.append(record.event_id)
        if errors:
            raise errors.pop(0)
        return 7

    return append


def _conflict() -> IntegrityError:
    return IntegrityError("INSERT INTO audit_events", {}, Exception("duplicate key seq"))


def _locked() -> OperationalError:
    return OperationalError("INSERT INTO audit_events", {}, Exception("database is locked"))


async def test_lost_races_are_retried(
    session_factory: Factory, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[str] = []
    errors: list[Exception] = [_conflict(), _locked(), _conflict()]
    monkeypatch.setattr(audit_writer, "append_event", _flaky(errors, calls))
    record = event()
    assert await append_event_with_retry(session_factory, record) == 7
    assert calls == [record.event_id] * 4


async def test_it_gives_up_after_its_attempts(
    session_factory: Factory, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[str] = []
    monkeypatch.setattr(audit_writer, "append_event", _flaky([_conflict()] * 5, calls))
    with pytest.raises(IntegrityError):
        await append_event_with_retry(session_factory, event(), attempts=3)
    assert len(calls) == 3


async def test_other_operational_errors_are_not_retried(
    session_factory: Factory, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[str] = []
    broken = OperationalError("SELECT 1", {}, Exception("disk I/O error"))
    monkeypatch.setattr(audit_writer, "append_event", _flaky([broken], calls))
    with pytest.raises(OperationalError, match="disk I/O"):
        await append_event_with_retry(session_factory, event())
    assert len(calls) == 1


async def test_a_real_append_is_committed(session_factory: Factory) -> None:
    record = event()
    seq = await append_event_with_retry(session_factory, record)
    try:
        async with session_factory() as session:
            stored = await session.get(AuditEventRow, seq)
            assert stored is not None and stored.event_id == record.event_id
    finally:
        async with session_factory() as session, session.begin():
            await session.execute(delete(AuditEventRow).where(AuditEventRow.seq == seq))
