"""One step of an appraisal written in one transaction: the task it closes and the one it opens
(with its opening notice), the read-model row, the outcome and the audit events (with their
decision notices) are all stored or none is; a retry writes nothing twice."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import delete, func, select
from sqlalchemy import event as sqlalchemy_event
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from appraisal_engine.activities.read_model import ReadModelActivities
from appraisal_engine.domain.audit_kinds import GRADE_RELEASED, TASK_COMPLETED
from appraisal_engine.domain.projection import StepProjection
from appraisal_engine.domain.records import AuditEvent, AuditFilter, TaskStatus
from appraisal_engine.domain.tasks import TaskKind
from appraisal_engine.store import audit_writer
from appraisal_engine.store.models import (
    AppraisalRow,
    AuditEventRow,
    NoticeRow,
    OutcomeRow,
    TaskRow,
)
from appraisal_engine.store.repositories import outcomes
from appraisal_engine.store.repositories.appraisals import get_appraisal
from appraisal_engine.store.repositories.audit import AuditEntry, Heads, append_event, list_events
from appraisal_engine.store.repositories.audit_verify import VerifyResult, verify_chain
from appraisal_engine.store.repositories.notices import list_notices
from appraisal_engine.store.repositories.outcomes import get_outcome
from appraisal_engine.store.repositories.tasks import get_task
from tests.store.builders import T0, appraisal, event, nip, outcome, task, uid

Factory = async_sessionmaker[AsyncSession]


def a_step(**changes: Any) -> StepProjection:
    """A self-report completed and the feedback on it opened, the appraisal's row, its
    outcome, and two audit events, one of them a decision the employee is told of."""
    appraisal_id = uid("appraisal")
    done = task(
        appraisal_id=appraisal_id,
        status=TaskStatus.DONE,
        closed_at=T0 + timedelta(days=2),
        completed_by=nip(1),
    )
    opened = task(
        appraisal_id=appraisal_id,
        kind=TaskKind.FEEDBACK,
        assignee_nip=nip(2),
        opened_at=T0 + timedelta(days=2),
    )
    at = T0 + timedelta(days=2)
    events = [
        event(appraisal_id=appraisal_id, kind=TASK_COMPLETED, at=at, payload={"task_id": done.id}),
        event(appraisal_id=appraisal_id, kind=GRADE_RELEASED, at=at, payload={"grade": "baik"}),
    ]
    values: dict[str, Any] = {
        "tasks": [done, opened],
        "appraisal": appraisal(id=appraisal_id, stage="monitoring"),
        "outcome": outcome(appraisal_id=appraisal_id),
        "events": events,
    }
    return StepProjection.model_validate(values | changes)


@pytest.fixture
async def steps(session_factory: Factory) -> AsyncIterator[list[StepProjection]]:
    """The steps a test writes; their rows are removed after it."""
    written: list[StepProjection] = []
    yield written
    async with session_factory() as session, session.begin():
        for step in written:
            ids = [t.id for t in step.tasks]
            events = [e.event_id for e in step.events]
            appraisal_id = step.appraisal.id if step.appraisal else None
            await session.execute(delete(TaskRow).where(TaskRow.id.in_(ids)))
            await session.execute(delete(NoticeRow).where(NoticeRow.appraisal_id == appraisal_id))
            await session.execute(delete(AppraisalRow).where(AppraisalRow.id == appraisal_id))
            await session.execute(delete(OutcomeRow).where(OutcomeRow.appraisal_id == appraisal_id))
            await session.execute(delete(AuditEventRow).where(AuditEventRow.event_id.in_(events)))


def _of(step: StepProjection) -> AuditFilter:
    assert step.appraisal is not None
    return AuditFilter(appraisal_id=step.appraisal.id)


async def _count(session: AsyncSession, row: Any, *where: Any) -> int:
    return int(await session.scalar(select(func.count()).select_from(row).where(*where)) or 0)


async def _logged_and_verified(
    factory: Factory, step: StepProjection
) -> tuple[list[AuditEntry], VerifyResult]:
    """The step's events as logged, in order, and the verdict on every chain."""
    async with factory() as session:
        return await list_events(session, where=_of(step), limit=10), await verify_chain(session)


async def _stored(factory: Factory, step: StepProjection) -> dict[str, int]:
    """How many of the step's rows of each kind are stored."""
    assert step.appraisal is not None
    appraisal_id = step.appraisal.id
    async with factory() as session:
        return {
            "tasks": await _count(session, TaskRow, TaskRow.id.in_([t.id for t in step.tasks])),
            "appraisal": await _count(session, AppraisalRow, AppraisalRow.id == appraisal_id),
            "outcome": await _count(session, OutcomeRow, OutcomeRow.appraisal_id == appraisal_id),
            "events": await _count(
                session, AuditEventRow, AuditEventRow.appraisal_id == appraisal_id
            ),
            "notices": await _count(session, NoticeRow, NoticeRow.appraisal_id == appraisal_id),
        }


async def test_a_step_is_written_whole(
    session_factory: Factory, steps: list[StepProjection]
) -> None:
    step = a_step()
    steps.append(step)
    await ReadModelActivities(session_factory).project_step(step)
    assert step.appraisal is not None and step.outcome is not None
    done, opened = step.tasks
    async with session_factory() as session:
        assert await get_task(session, done.id) == done
        assert await get_task(session, opened.id) == opened
        assert await get_appraisal(session, step.appraisal.id) == step.appraisal
        assert await get_outcome(session, step.appraisal.id) == step.outcome
        logged = await list_events(session, where=_of(step), limit=10)
        told = await list_notices(session, task_id=opened.id)
        released = await list_notices(session, recipient_nip=step.appraisal.employee_nip)
        chain = await verify_chain(session)
    assert [e.event_id for e in logged] == [e.event_id for e in step.events]  # in order
    assert [n.recipient_nip for n in told] == [opened.assignee_nip]  # the task just opened
    assert any(n.appraisal_id == step.appraisal.id for n in released)  # the grade released
    assert await _stored(session_factory, step) == {
        "tasks": 2,
        "appraisal": 1,
        "outcome": 1,
        "events": 2,
        "notices": 2,
    }
    assert chain.ok, chain


async def test_a_retried_step_writes_nothing_twice(
    session_factory: Factory, steps: list[StepProjection]
) -> None:
    step = a_step()
    steps.append(step)
    activities = ReadModelActivities(session_factory)
    await activities.project_step(step)
    first = await _stored(session_factory, step)
    await activities.project_step(step)
    assert await _stored(session_factory, step) == first


async def test_a_step_reads_its_chain_once_and_a_retry_keeps_it_whole(
    engine: AsyncEngine, session_factory: Factory, steps: list[StepProjection]
) -> None:
    # Every event of a step goes to its organisation's chain: the chain's lock is taken once
    # and its last row read once, however many events the step appends.
    step = a_step()
    third = event(appraisal_id=step.events[0].appraisal_id, kind=TASK_COMPLETED, at=T0)
    step = step.model_copy(update={"events": [*step.events, third]})
    steps.append(step)
    statements: list[str] = []

    def seen(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        statements.append(" ".join(statement.split()))

    activities = ReadModelActivities(session_factory)
    sqlalchemy_event.listen(engine.sync_engine, "before_cursor_execute", seen)
    try:
        await activities.project_step(step)
    finally:
        sqlalchemy_event.remove(engine.sync_engine, "before_cursor_execute", seen)
    reads = [s for s in statements if s.startswith("SELECT") and "FROM audit_events" in s]
    inserts = [s for s in statements if s.startswith("INSERT INTO audit_events")]
    locks = [s for s in statements if "pg_advisory_xact_lock" in s or "UPDATE audit_events" in s]
    assert (len(reads), len(inserts), len(locks)) == (1, 3, 1), statements
    # The step's activity retried after its commit (its answer lost): nothing is written
    # again and the chain still holds.
    before = await _stored(session_factory, step)
    await activities.project_step(step)
    assert await _stored(session_factory, step) == before
    logged, chain = await _logged_and_verified(session_factory, step)
    first = logged[0].chain_seq
    assert [e.chain_seq for e in logged] == [first, first + 1, first + 2]
    assert chain.ok, chain


async def test_an_event_stored_before_is_skipped_and_the_next_links_to_the_chain(
    session_factory: Factory, steps: list[StepProjection]
) -> None:
    # A step whose first event an earlier write already stored: that one keeps its place and
    # the next is appended after the chain's real last row, not after a row never written.
    step = a_step()
    steps.append(step)
    first, second = step.events
    activities = ReadModelActivities(session_factory)
    await activities.project_step(StepProjection(events=[first]))
    await activities.project_step(StepProjection(events=[first, second]))
    logged, chain = await _logged_and_verified(session_factory, step)
    assert [e.event_id for e in logged] == [first.event_id, second.event_id]
    assert logged[1].chain_seq == logged[0].chain_seq + 1 and logged[1].prev_hash == logged[0].hash
    assert chain.ok, chain


async def test_a_step_of_events_alone_or_rows_alone(
    session_factory: Factory, steps: list[StepProjection]
) -> None:
    rows_only = a_step(events=[], outcome=None)
    steps.append(rows_only)
    await ReadModelActivities(session_factory).project_step(rows_only)
    assert await _stored(session_factory, rows_only) == {
        "tasks": 2,
        "appraisal": 1,
        "outcome": 0,
        "events": 0,
        "notices": 1,
    }
    whole = a_step()
    assert whole.appraisal is not None
    # The events of a step that writes no row; the appraisal's row (written earlier) is what
    # the decision notice is addressed from.
    steps.append(whole)
    activities = ReadModelActivities(session_factory)
    await activities.project_step(whole.model_copy(update={"events": [], "outcome": None}))
    await activities.project_step(StepProjection(events=whole.events))
    stored = await _stored(session_factory, whole)
    assert (stored["events"], stored["notices"]) == (2, 2)


async def test_a_failing_event_leaves_none_of_the_step_written(
    session_factory: Factory, steps: list[StepProjection], monkeypatch: pytest.MonkeyPatch
) -> None:
    step = a_step()
    steps.append(step)
    real = append_event
    appended: list[str] = []

    async def second_fails(session: AsyncSession, record: AuditEvent, heads: Heads) -> int:
        appended.append(record.event_id)
        if len(appended) == 2:
            raise OperationalError("INSERT INTO audit_events", {}, Exception("disk I/O error"))
        return await real(session, record, heads)

    monkeypatch.setattr(audit_writer, "append_event", second_fails)
    with pytest.raises(OperationalError, match="disk I/O"):
        await ReadModelActivities(session_factory).project_step(step)
    assert len(appended) == 2  # the first event was appended in the transaction, then undone
    assert await _stored(session_factory, step) == dict.fromkeys(
        ("tasks", "appraisal", "outcome", "events", "notices"), 0
    )


async def test_a_failing_row_leaves_none_of_the_step_written(
    session_factory: Factory, steps: list[StepProjection], monkeypatch: pytest.MonkeyPatch
) -> None:
    # The outcome is written after the tasks and the appraisal's row, before the events.
    step = a_step()
    steps.append(step)

    async def broken(*_: Any) -> None:
        raise OperationalError("INSERT INTO outcomes", {}, Exception("disk I/O error"))

    monkeypatch.setattr(outcomes, "upsert_outcome", broken)
    with pytest.raises(OperationalError, match="disk I/O"):
        await ReadModelActivities(session_factory).project_step(step)
    assert await _stored(session_factory, step) == dict.fromkeys(
        ("tasks", "appraisal", "outcome", "events", "notices"), 0
    )


async def test_a_lost_race_for_the_chain_retries_the_whole_step(
    session_factory: Factory, steps: list[StepProjection], monkeypatch: pytest.MonkeyPatch
) -> None:
    step = a_step()
    steps.append(step)
    real = append_event
    lost = [True]

    async def loses_once(session: AsyncSession, record: AuditEvent, heads: Heads) -> int:
        if lost and record.event_id == step.events[1].event_id:
            lost.clear()
            raise IntegrityError("INSERT INTO audit_events", {}, Exception("duplicate key seq"))
        return await real(session, record, heads)

    monkeypatch.setattr(audit_writer, "append_event", loses_once)
    await ReadModelActivities(session_factory).project_step(step)
    assert not lost
    # The retry starts from the chain as committed, not from what the undone attempt appended.
    logged, chain = await _logged_and_verified(session_factory, step)
    assert [e.chain_seq - logged[0].chain_seq for e in logged] == [0, 1]
    assert chain.ok, chain
    assert await _stored(session_factory, step) == {
        "tasks": 2,
        "appraisal": 1,
        "outcome": 1,
        "events": 2,
        "notices": 2,
    }
