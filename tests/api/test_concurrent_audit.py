"""Bursts of concurrent completions on one appraisal: exactly one answer wins per task, and the
audit log holds exactly one `task.completed` row per accepted completion, for the right task,
at the time the task closed; the chain verifies."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from appraisal_engine.domain.policy import Policy
from appraisal_engine.domain.presets import BUKITTINGGI, NATIONAL
from appraisal_engine.domain.records import AuditFilter, TaskRecord, TaskStatus
from appraisal_engine.domain.tasks import TaskKind
from appraisal_engine.simulator.scripted import Actors, nip
from appraisal_engine.store.repositories.audit import list_events
from appraisal_engine.store.repositories.audit_verify import verify_chain
from appraisal_engine.store.repositories.tasks import list_tasks
from appraisal_engine.workflows.appraisal.workflow import AppraisalWorkflow
from appraisal_engine.workflows.messages import AppraisalInput
from tests.api.conftest import Api, bearer
from tests.api.test_hostile import open_task

COPIES = 5
ROUNDS = 3


async def open_tasks(
    api: Api, who: str, appraisal_id: str, kind: TaskKind, n: int
) -> list[TaskRecord]:
    """`who`'s `n` open tasks of `kind` on the appraisal, once the inbox has them all."""
    for _ in range(400):
        r = await api.http.get(
            "/v1/tasks",
            params={"status": "open", "kind": kind.value, "limit": 200},
            headers=bearer(who),
        )
        found = [t for t in r.json()["items"] if t["appraisal_id"] == appraisal_id]
        if len(found) >= n:
            return [TaskRecord.model_validate(t) for t in found]
        await asyncio.sleep(0.05)
    raise AssertionError(f"fewer than {n} open {kind.value} tasks for {who}")


async def burst(api: Api, actors: Actors, tasks: list[TaskRecord]) -> None:
    """Every task completed by COPIES simultaneous requests of its assignee: one 200 each."""

    async def send(task: TaskRecord) -> httpx.Response:
        body = actors.body(task)
        assert body is not None
        return await api.http.post(
            f"/v1/tasks/{task.id}/complete",
            json=body.model_dump(mode="json"),
            headers=bearer(task.assignee_nip),
        )

    sends = [send(t) for t in tasks for _ in range(COPIES)]
    answers = await asyncio.gather(*sends)
    for i, task in enumerate(tasks):
        mine = answers[i * COPIES : (i + 1) * COPIES]
        codes = sorted(r.status_code for r in mine)
        odd = [r.text for r in mine if r.status_code not in (200, 409)]
        assert codes == [200] + [409] * (COPIES - 1), (task.id, codes, odd)


async def check_audit(api: Api, appraisal_id: str) -> None:
    """One `task.completed` row per done task, naming it, at its closing time; chain intact."""
    async with api.sessions() as session:
        where = AuditFilter(appraisal_id=appraisal_id, kind="task.completed")
        events = await list_events(session, where=where, limit=1000)
        verified = await verify_chain(session)
    async with api.sessions() as session:
        tasks = await list_tasks(
            session, appraisal_id=appraisal_id, status=TaskStatus.DONE, limit=1000
        )
    done = {t.id: t for t in tasks}
    logged = [e.payload["task_id"] for e in events]
    assert sorted(logged) == sorted(done), (logged, sorted(done))
    for event in events:
        task = done[event.payload["task_id"]]
        assert task.closed_at == event.at, (task.id, task.closed_at, event.at)
        assert task.completed_by == event.actor_nip, task.id
    assert verified.ok, verified


async def start(api: Api, policy: Policy, base: int) -> tuple[str, AppraisalInput]:
    """A standalone appraisal whose report periods are all over: every report due at once."""
    employee, supervisor, superior = nip(base), nip(base + 1), nip(base + 2)
    peers = [nip(base + 3 + k) for k in range(3)]
    appraisal_id = f"appraisal-burst-{uuid.uuid4().hex[:8]}"
    inp = AppraisalInput.model_validate(
        {
            "employee_nip": employee,
            "unit_code": "DUKCAPIL",
            "position_level": "pelaksana",
            "supervisor_nip": supervisor,
            "superior_nip": superior,
            "peer_nips": peers,
            "policy": policy,
            "year_start": datetime.now(UTC) - timedelta(days=366),
        }
    )
    await api.env.client.start_workflow(
        AppraisalWorkflow.run, inp, id=appraisal_id, task_queue=api.task_queue
    )
    return appraisal_id, inp


async def approved_targets(
    api: Api, actors: Actors, appraisal_id: str, inp: AppraisalInput
) -> None:
    """Draft and approve the plan through the API."""
    for who, kind in (
        (inp.employee_nip, TaskKind.TARGETS_DRAFT),
        (inp.supervisor_nip, TaskKind.TARGETS_APPROVE),
    ):
        task = await open_task(api, who, appraisal_id, kind)
        body = actors.body(task)
        assert body is not None
        r = await api.http.post(
            f"/v1/tasks/{task.id}/complete",
            json=body.model_dump(mode="json"),
            headers=bearer(who),
        )
        assert r.status_code == 200, r.text


async def through_monitoring(
    api: Api, actors: Actors, policy: Policy, base: int
) -> tuple[str, AppraisalInput]:
    """An appraisal whose plan is approved, then every report and every feedback in a burst."""
    appraisal_id, inp = await start(api, policy, base)
    await approved_targets(api, actors, appraisal_id, inp)
    periods = policy.report_period.per_year
    reports = await open_tasks(api, inp.employee_nip, appraisal_id, TaskKind.SELF_REPORT, periods)
    await burst(api, actors, reports)
    feedback = await open_tasks(api, inp.supervisor_nip, appraisal_id, TaskKind.FEEDBACK, periods)
    await burst(api, actors, feedback)
    return appraisal_id, inp


@pytest.mark.parametrize("round_", range(ROUNDS))
async def test_bursts_of_reports_and_feedback_log_each_completion_once(
    api: Api, round_: int
) -> None:
    appraisal_id, _ = await through_monitoring(api, Actors(NATIONAL), NATIONAL, 400 + 10 * round_)
    await check_audit(api, appraisal_id)


async def test_a_burst_of_peer_answers_logs_each_once(api: Api) -> None:
    actors = Actors(BUKITTINGGI)
    appraisal_id, inp = await through_monitoring(api, actors, BUKITTINGGI, 470)
    peer_tasks: list[TaskRecord] = []
    for peer in inp.peer_nips:
        peer_tasks += await open_tasks(api, peer, appraisal_id, TaskKind.PEER_FEEDBACK, 1)
    await burst(api, actors, peer_tasks)
    await check_audit(api, appraisal_id)
