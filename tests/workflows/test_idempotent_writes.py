"""A retried activity writes nothing twice: each write is replayed after a crash past its commit."""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Callable
from typing import Any

from sqlalchemy import func, select
from temporalio import activity
from temporalio.testing import ActivityEnvironment

from appraisal_engine.activities.read_model import ReadModelActivities
from appraisal_engine.appraisal.worker import activities_for, build_worker
from appraisal_engine.domain.presets import NATIONAL
from appraisal_engine.domain.projection import StepProjection
from appraisal_engine.domain.records import AuditEvent, AuditFilter, TaskRecord
from appraisal_engine.domain.stages import Stage
from appraisal_engine.store.models import AuditEventRow
from appraisal_engine.store.repositories.audit import list_events
from appraisal_engine.store.repositories.audit_verify import verify_chain
from appraisal_engine.store.repositories.tasks import list_tasks
from appraisal_engine.workflows.appraisal.workflow import AppraisalWorkflow
from tests.workflows.conftest import Running
from tests.workflows.driver import Actors, appraisal_input, drive


class CrashAfterCommit:
    """The real writes, but every first attempt fails after it has committed."""

    def __init__(self, real: ReadModelActivities) -> None:
        self.real = real
        self.attempts: Counter[str] = Counter()
        self.logged: set[str] = set()  # the audit events written, alone or in a step

    def _crash_once(self, key: str) -> None:
        self.attempts[key] += 1
        if activity.info().attempt == 1:
            raise RuntimeError("worker lost after commit")

    @activity.defn(name="upsert_task")
    async def upsert_task(self, task: TaskRecord) -> None:
        await self.real.upsert_task(task)
        self._crash_once(f"task:{task.id}:{task.status}")

    @activity.defn(name="append_audit")
    async def append_audit(self, event: AuditEvent) -> int:
        seq = await self.real.append_audit(event)
        self.logged.add(event.event_id)
        self._crash_once(f"audit:{event.event_id}")
        return seq

    @activity.defn(name="project_step")
    async def project_step(self, step: StepProjection) -> None:
        await self.real.project_step(step)
        self.logged |= {e.event_id for e in step.events}
        rows = [f"{t.id}:{t.status}" for t in step.tasks] + [e.event_id for e in step.events]
        self._crash_once(f"step:{','.join(rows)}")


async def test_a_year_with_every_write_retried_stores_each_once(running: Running) -> None:
    crashing = CrashAfterCommit(ReadModelActivities(running.sessions))
    others = [
        a
        for a in activities_for(running.client, running.sessions)
        if getattr(a, "__name__", "") not in ("upsert_task", "append_audit", "project_step")
    ]
    queue = f"tq-{uuid.uuid4()}"
    acts: list[Callable[..., Any]] = [
        crashing.upsert_task,
        crashing.append_audit,
        crashing.project_step,
        *others,
    ]
    async with build_worker(running.client, queue, running.sessions, activities=acts):
        handle = await running.client.start_workflow(
            AppraisalWorkflow.run,
            appraisal_input(NATIONAL),
            id=f"appraisal-retry-{uuid.uuid4()}",
            task_queue=queue,
        )
        state = await drive(running, handle, Actors(NATIONAL))
    assert state.stage is Stage.DONE
    assert crashing.attempts and all(n == 2 for n in crashing.attempts.values())
    assert any(k.startswith("step:") for k in crashing.attempts)  # steps written in one go

    async with running.sessions() as session:
        rows = await list_tasks(session, appraisal_id=handle.id, limit=200)
        events = await list_events(session, where=AuditFilter(appraisal_id=handle.id), limit=1000)
        stored = await session.scalar(
            select(func.count())
            .select_from(AuditEventRow)
            .where(AuditEventRow.appraisal_id == handle.id)
        )
        chain = await verify_chain(session)
    assert len(rows) == len(state.tasks) == 11
    assert stored == len(events) == len(crashing.logged)
    assert len({e.event_id for e in events}) == len(events)
    assert chain.ok, chain


async def test_activity_environment_retry_is_a_no_op(running: Running) -> None:
    acts = ReadModelActivities(running.sessions)
    env = ActivityEnvironment()
    event = AuditEvent(
        event_id=f"ev-{uuid.uuid4()}",
        at=await running.env.get_current_time(),
        actor_nip=None,
        kind="test.retry",
        appraisal_id=f"a-{uuid.uuid4()}",
    )
    first = await env.run(acts.append_audit, event)
    second = await env.run(acts.append_audit, event)
    assert first == second
    async with running.sessions() as session:
        where = AuditFilter(appraisal_id=event.appraisal_id)
        assert len(await list_events(session, where=where)) == 1
