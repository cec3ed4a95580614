"""The worker is SIGKILLed while supervisors submit their reviews: after a new worker takes
over, every appraisal finishes exactly once, no task is lost or doubled, the audit chain holds."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from temporalio.client import WorkflowUpdateFailedError
from temporalio.testing import WorkflowEnvironment

from appraisal_engine.activities.notify import LoggingNotifier
from appraisal_engine.domain.records import TaskRecord, TaskStatus
from appraisal_engine.domain.tasks import TaskKind
from appraisal_engine.simulator.inbox import answer_tasks, open_tasks
from appraisal_engine.simulator.roster import generate_roster
from appraisal_engine.simulator.scripted import Actors
from appraisal_engine.store.repositories.audit_verify import verify_chain
from appraisal_engine.workflows.appraisal.workflow import AppraisalWorkflow
from appraisal_engine.workflows.messages import CompleteTaskInput
from tests.faults.checks import (
    appraisal_rows,
    appraisal_runs,
    audit_kinds,
    eventually,
    inbox,
    inbox_mismatches,
    unfinished_runs,
    workflow_states,
)
from tests.faults.conftest import Stack
from tests.workflows.conftest import Running
from tests.workflows.cycle_driver import POLICY, drive_cycle

pytestmark = [pytest.mark.slow, pytest.mark.faults]

EMPLOYEES = 24


async def test_a_killed_worker_loses_and_doubles_no_review(stack: Stack) -> None:
    await asyncio.wait_for(_killed_mid_reviews(stack), timeout=220)


async def _killed_mid_reviews(stack: Stack) -> None:
    client = stack.client
    employees = generate_roster(EMPLOYEES, units=2, seed=5)
    cycle, cycle_id = await stack.launch(
        employees,
        year=2032,
        year_start=datetime.now(UTC) - timedelta(days=366),  # every period is due at once
        batch_size=10,
    )

    # Everything up to the reviews: targets, every self-report and its feedback.
    actors = Actors(POLICY)
    actors.skip = lambda t: t.kind is TaskKind.REVIEW

    async def reviews_open() -> list[TaskRecord]:
        tasks = await open_tasks(stack.sessions, cycle_id)
        await answer_tasks(client, tasks, actors.body)
        return [t for t in tasks if t.kind is TaskKind.REVIEW]

    reviews = await eventually(
        reviews_open, lambda r: len(r) == EMPLOYEES, within=90, every=0.2, what="every review open"
    )

    # A third of the reviews go in before the kill; the rest are being submitted when it lands.
    reviewer = Actors(POLICY)
    first, rest = reviews[: EMPLOYEES // 3], reviews[EMPLOYEES // 3 :]
    await answer_tasks(client, first, reviewer.body)
    outcomes: dict[str, str] = {}
    calling: set[str] = set()  # inside execute_update right now
    gate = asyncio.Semaphore(4)

    async def submit(task: TaskRecord) -> None:
        body = reviewer.body(task)
        assert body is not None
        async with gate:
            calling.add(task.id)
            try:
                await asyncio.wait_for(
                    client.get_workflow_handle(task.appraisal_id).execute_update(
                        AppraisalWorkflow.complete_task,
                        CompleteTaskInput(task_id=task.id, actor_nip=task.assignee_nip, body=body),
                    ),
                    timeout=60,
                )
                outcomes[task.id] = "accepted"
            except WorkflowUpdateFailedError as e:
                outcomes[task.id] = f"rejected: {e.cause}"
            except Exception as e:  # the worker or the connection went away mid-call
                outcomes[task.id] = f"failed: {e!r}"
            finally:
                calling.discard(task.id)

    async def answered() -> int:
        return len(outcomes)

    submitting = asyncio.gather(*(submit(t) for t in rest))
    await eventually(answered, lambda n: n >= 2, within=60, every=0.02)
    await stack.worker.kill()
    in_flight, queued = len(calling), len(rest) - len(outcomes) - len(calling)
    assert in_flight > 0, "no review was being submitted at the kill"
    killed_at = time.monotonic()
    await stack.worker.start(client)
    await submitting
    resumed = time.monotonic() - killed_at

    # A review whose submission failed is still open (the update never entered the history):
    # its supervisor submits it again, as they would after an error page.
    still_open = [
        t for t in await open_tasks(stack.sessions, cycle_id) if t.kind is TaskKind.REVIEW
    ]
    assert {t.id for t in still_open} <= {i for i, o in outcomes.items() if o != "accepted"}
    await answer_tasks(client, still_open, reviewer.body)

    # The rest of the year: calibration, appeal windows, outcomes, until the cycle closes.
    running = Running(
        WorkflowEnvironment.from_client(client),
        client,
        stack.task_queue,
        LoggingNotifier(),
        stack.sessions,
    )
    await asyncio.wait_for(drive_cycle(running, cycle, cycle_id, {}), timeout=120)
    summary = await asyncio.wait_for(cycle.result(), timeout=30)
    assert sum(sum(u.grades.values()) for u in summary.units.values()) == EMPLOYEES

    # Every appraisal finished, once: one run each, completed, its read-model row done.
    runs = await appraisal_runs(client, cycle_id)
    assert len(runs) == EMPLOYEES and set(runs.values()) == {1}
    # An appraisal reports "done" to the cycle just before its run completes, and visibility
    # trails by a moment: so every run must be completed within seconds, not at this instant.
    await eventually(
        lambda: unfinished_runs(client, cycle_id),
        lambda left: left == [],
        within=30,
        what="every appraisal run completed",
    )
    rows = await appraisal_rows(stack.sessions)
    assert sorted(rows) == sorted(runs)
    assert {(r.stage, r.status) for r in rows.values()} == {("done", "completed")}

    # No task lost or doubled: the inbox is exactly the workflows' task books, all closed, and
    # each step of each appraisal was done once.
    tasks = await inbox(stack.sessions)
    states = await workflow_states(client, sorted(runs))
    assert inbox_mismatches(tasks, states) == []
    assert [t.id for t in tasks if t.status is TaskStatus.OPEN] == []
    steps = Counter(
        (t.appraisal_id, t.kind, t.period) for t in tasks if t.status is not TaskStatus.SUPERSEDED
    )
    assert [s for s, n in steps.items() if n != 1] == []
    done_reviews = [t for t in tasks if t.kind is TaskKind.REVIEW and t.status is TaskStatus.DONE]
    assert len(done_reviews) == EMPLOYEES

    # The audit log records each completion and each appraisal's decisions once, chain intact.
    events = await audit_kinds(stack.sessions)
    completed = Counter(p["task_id"] for k, _, p in events if k == "task.completed")
    assert completed == Counter(t.id for t in tasks if t.status is TaskStatus.DONE)
    for kind in ("grade.computed", "grade.released", "outcome.decided"):
        assert Counter(a for k, a, _ in events if k == kind) == Counter(runs), kind
    async with stack.sessions() as session:
        verified = await verify_chain(session)
    assert verified.ok, verified.reason
    print(
        f"\n{in_flight} reviews in flight and {queued} queued at the kill; all answered"
        f" {resumed:.0f} s later;"
        f" {Counter(o.split(':')[0] for o in outcomes.values())}; resubmitted {len(still_open)}"
    )
