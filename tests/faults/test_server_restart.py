"""The dev server stops (SIGTERM) while appraisals wait on deadlines of a few seconds, and
starts again on the same state file: every reminder, escalation and fallback still fires."""

from __future__ import annotations

import asyncio
import re
import signal
import time
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from temporalio.client import Client, WorkflowHandle

from appraisal_engine.domain.policy import DEFAULT_TASK_RULES
from appraisal_engine.domain.presets import NATIONAL
from appraisal_engine.domain.records import TaskStatus
from appraisal_engine.domain.stages import Stage
from appraisal_engine.domain.tasks import TaskKind
from appraisal_engine.simulator.scripted import SUPERIOR, SUPERVISOR, Actors, nip
from appraisal_engine.store.repositories.audit_verify import verify_chain
from appraisal_engine.workflows.appraisal.workflow import AppraisalWorkflow
from appraisal_engine.workflows.messages import AppraisalResult, AppraisalState, CompleteTaskInput
from tests.faults.checks import audit_kinds, eventually, inbox, workflow_states
from tests.faults.conftest import Stack
from tests.workflows.driver import appraisal_input

pytestmark = [pytest.mark.slow, pytest.mark.faults]

SECOND = 1 / 86_400  # policies count in days
# Seconds after a task opens: the reminder at 8, escalation at 14, the fallback at 18. The
# server is down from before the first reminder until after the last, a few seconds.
DUE, REMIND, GRACE = 14, 6, 4
POLICY = NATIONAL.model_copy(
    update={
        "tasks": {
            kind: rule.model_copy(
                update={
                    "due_days": DUE * SECOND,
                    "remind_before_days": REMIND * SECOND,
                    "escalation_days": GRACE * SECOND,
                }
            )
            for kind, rule in DEFAULT_TASK_RULES.items()
        }
    }
)
# Who stays silent: the employee on the draft, the supervisor on the approval, the employee on
# every self-report. Draft and approval can only wait (flagged overdue); a report goes missing.
SILENT = {
    "draft": {TaskKind.TARGETS_DRAFT},
    "approval": {TaskKind.TARGETS_APPROVE},
    "reports": {TaskKind.SELF_REPORT},
}
PER_GROUP = 3
APPROVE = TaskKind.TARGETS_APPROVE
NOTICE = re.compile(r"(reminder|escalation|overdue) for task (\S+) ")

Handle = WorkflowHandle[AppraisalWorkflow, AppraisalResult]


async def test_deadlines_fire_after_the_server_restarts(stack: Stack) -> None:
    await asyncio.wait_for(_restarted_while_waiting(stack), timeout=150)


async def _restarted_while_waiting(stack: Stack) -> None:
    client = stack.client
    year_start = datetime.now(UTC) - timedelta(days=366)  # every report period is over
    handles: dict[str, list[Handle]] = {}
    seq = 100
    for group in SILENT:
        handles[group] = []
        for _ in range(PER_GROUP):
            seq += 1
            inp = appraisal_input(POLICY, employee_nip=nip(seq), year_start=year_start)
            handles[group].append(
                await client.start_workflow(
                    AppraisalWorkflow.run,
                    inp,
                    id=f"appraisal-restart-{group}-{uuid.uuid4().hex[:8]}",
                    task_queue=stack.task_queue,
                )
            )
    # Everyone answers at once what they will answer, until only the silent tasks are open.
    await asyncio.gather(
        *(_answer_all_but(h, kinds) for group, kinds in SILENT.items() for h in handles[group])
    )
    waiting = await workflow_states(client, _ids(handles))
    opened = [t.opened_at for s in waiting.values() for t in s.tasks if t.status is TaskStatus.OPEN]

    # Down before the first reminder is due; up again after every reminder's time has passed.
    code = await stack.server.stop(signal.SIGTERM)
    stopped = datetime.now(UTC)
    first_reminder = min(opened) + timedelta(seconds=DUE - REMIND)
    assert stopped < first_reminder, "the server stopped after a reminder was due"
    last_reminder = max(opened) + timedelta(seconds=DUE - REMIND)
    await asyncio.sleep((last_reminder + timedelta(seconds=1) - stopped).total_seconds())
    await stack.server.start()
    restarted = time.monotonic()
    client = await stack.server.client()

    def settled(states: dict[str, AppraisalState]) -> bool:
        return bool(states) and all(
            _settled(group, states[h.id]) for group in SILENT for h in handles[group]
        )

    states = await eventually(
        lambda: _states(client, _ids(handles)),
        settled,
        within=60,
        every=0.5,
        what="every deadline to run its course after the restart",
    )
    took = time.monotonic() - restarted
    assert stack.worker.proc is not None and stack.worker.proc.returncode is None

    for handle in handles["draft"]:
        [draft] = states[handle.id].tasks
        assert draft.status is TaskStatus.OPEN and draft.escalated
        assert "overdue:targets.draft" in states[handle.id].flags
    for handle in handles["approval"]:
        old, new = [t for t in states[handle.id].tasks if t.kind is TaskKind.TARGETS_APPROVE]
        assert (old.status, old.assignee_nip) == (TaskStatus.SUPERSEDED, SUPERVISOR)
        assert (new.status, new.assignee_nip, new.escalated) == (TaskStatus.OPEN, SUPERIOR, True)
        assert "overdue:targets.approve" in states[handle.id].flags
    for handle in handles["reports"]:
        reports = [t for t in states[handle.id].tasks if t.kind is TaskKind.SELF_REPORT]
        assert [t.status for t in reports] == [TaskStatus.MISSING] * 4
        assert {f"missing_report:{k}" for k in range(1, 5)} <= set(states[handle.id].flags)

    # The inbox says the same, and each deadline step is in the audit log exactly once.
    silent = {
        t.id: t
        for group, kinds in SILENT.items()
        for h in handles[group]
        for t in states[h.id].tasks
        if t.kind in kinds
    }
    stored = {t.id: t for t in await inbox(stack.sessions)}
    assert {i: (stored[i].status, stored[i].escalated) for i in silent} == {
        i: (t.status, t.escalated) for i, t in silent.items()
    }
    # An approval's escalation hands it to the superior as a new task, its replacement.
    originals = {i for i, t in silent.items() if t.assignee_nip != SUPERIOR}
    unresolved = {i for i, t in silent.items() if t.status is not TaskStatus.SUPERSEDED}
    steps = Counter(
        (kind, str(p["task_id"]))
        for kind, _, p in await audit_kinds(stack.sessions)
        if kind in ("task.escalated", "task.overdue") and p["task_id"] in silent
    )
    assert steps == Counter(
        [("task.escalated", i) for i in originals] + [("task.overdue", i) for i in unresolved]
    )
    async with stack.sessions() as session:
        verified = await verify_chain(session)
    assert verified.ok, verified.reason

    # The notices went out from the worker process (at least once each: a notice is an
    # ordinary activity, so a retry after the restart may repeat one).
    notices = Counter(NOTICE.findall(stack.worker.logs()))
    expected = {("reminder", i) for i in originals}
    # Told at the deadline: the watchers of an employee's task, or the superior taking over.
    expected |= {
        ("escalation", i) for i, t in silent.items() if t.kind is not APPROVE or i not in originals
    }
    # Told at the fallback when it can only wait: a plan or an approval is never invented.
    expected |= {("overdue", i) for i, t in silent.items() if t.status is TaskStatus.OPEN}
    assert expected <= set(notices), sorted(expected - set(notices))
    doubled = sorted(k for k, n in notices.items() if n > 1)
    print(
        f"\nserver stopped with {code}; deadlines settled {took:.0f} s after the restart;"
        f" notices sent more than once: {doubled}"
    )


def _ids(handles: dict[str, list[Handle]]) -> list[str]:
    return [h.id for group in handles.values() for h in group]


async def _states(client: Client, ids: list[str]) -> dict[str, AppraisalState]:
    try:
        return await workflow_states(client, ids)
    except Exception:  # the restarted server may still be finding its feet
        return {}


def _settled(group: str, state: AppraisalState) -> bool:
    flags = set(state.flags)
    if group == "draft":
        return "overdue:targets.draft" in flags
    if group == "approval":
        return "overdue:targets.approve" in flags
    return state.stage is Stage.REVIEW and sum(f.startswith("missing_report") for f in flags) == 4


async def _answer_all_but(handle: Handle, silent: set[TaskKind]) -> None:
    """Answer every open task but the silent kinds, until only those are open."""
    actors = Actors(POLICY)
    while True:
        state = await handle.query(AppraisalWorkflow.state)
        todo = [t for t in state.tasks if t.status is TaskStatus.OPEN and t.kind not in silent]
        if not todo and any(t.status is TaskStatus.OPEN for t in state.tasks):
            return
        for task in todo:
            body = actors.body(task, state)
            assert body is not None
            await handle.execute_update(
                AppraisalWorkflow.complete_task,
                CompleteTaskInput(task_id=task.id, actor_nip=task.assignee_nip, body=body),
            )
        if not todo:
            await asyncio.sleep(0.05)
