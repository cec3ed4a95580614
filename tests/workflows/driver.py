"""Driving appraisals in tests: the scripted actors of `simulator.scripted`, and a loop that
drives an appraisal through its year under time-skipping."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import timedelta

from temporalio.client import WorkflowHandle

from appraisal_engine.domain.employee import Employee, PositionLevel
from appraisal_engine.domain.policy import Policy
from appraisal_engine.domain.records import TaskRecord
from appraisal_engine.simulator.scripted import EMPLOYEE as EMPLOYEE
from appraisal_engine.simulator.scripted import MENTOR as MENTOR
from appraisal_engine.simulator.scripted import PEERS as PEERS
from appraisal_engine.simulator.scripted import PLAN as PLAN
from appraisal_engine.simulator.scripted import SUPERIOR as SUPERIOR
from appraisal_engine.simulator.scripted import SUPERVISOR as SUPERVISOR
from appraisal_engine.simulator.scripted import Actors as Actors
from appraisal_engine.simulator.scripted import drive_year, finished, first_task_opened
from appraisal_engine.simulator.scripted import nip as nip
from appraisal_engine.simulator.scripted import report as report
from appraisal_engine.simulator.scripted import review as review
from appraisal_engine.store.repositories.rosters import add_roster
from appraisal_engine.workflows.appraisal.workflow import AppraisalWorkflow
from appraisal_engine.workflows.messages import (
    AppraisalInput,
    AppraisalResult,
    AppraisalState,
    CompleteTaskInput,
    TaskBody,
)
from tests.workflows.conftest import Running

Handle = WorkflowHandle[AppraisalWorkflow, AppraisalResult]


def appraisal_input(policy: Policy, **changes: object) -> AppraisalInput:
    """A standalone appraisal of EMPLOYEE under `policy`."""
    base: dict[str, object] = dict(
        employee_nip=EMPLOYEE,
        unit_code="DUKCAPIL",
        position_level=PositionLevel.PELAKSANA,
        supervisor_nip=SUPERVISOR,
        superior_nip=SUPERIOR,
        peer_nips=PEERS,
        policy=policy,
    )
    return AppraisalInput.model_validate({**base, **changes})


async def start(running: Running, inp: AppraisalInput) -> Handle:
    """Start an appraisal with a fresh id on the test's task queue."""
    return await running.client.start_workflow(
        AppraisalWorkflow.run,
        inp,
        id=f"appraisal-test-{uuid.uuid4()}",
        task_queue=running.task_queue,
    )


async def opened(handle: Handle) -> AppraisalState:
    """The state once the year's first task is open (20 s at most)."""
    return await first_task_opened(handle, within_s=20)


async def complete(
    handle: Handle,
    task: TaskRecord,
    body: TaskBody,
    actor: str | None = None,
):
    """Complete a task as its assignee (or as `actor`)."""
    return await handle.execute_update(
        AppraisalWorkflow.complete_task,
        CompleteTaskInput(task_id=task.id, actor_nip=actor or task.assignee_nip, body=body),
    )


async def drive(
    running: Running,
    handle: Handle,
    actors: Actors,
    *,
    until: Callable[[AppraisalState], bool] = finished,
    max_steps: int = 400,
    idle: Callable[[Running, AppraisalState], Awaitable[None]] | None = None,
) -> AppraisalState:
    """Answer open tasks, skipping time to the workflow's next timer whenever nobody can act."""

    async def wait(state: AppraisalState) -> None:
        await (idle or skip_to_next)(running, state)

    return await drive_year(handle, actors, wait, until=until, max_steps=max_steps)


async def skip_to_next(running: Running, state: AppraisalState) -> None:
    """Let time run to just past the workflow's next timer (or a day when it has none)."""
    now = await running.env.get_current_time()
    gap = (state.waiting_until - now) if state.waiting_until else timedelta(days=1)
    await running.env.sleep(max(gap, timedelta(0)) + timedelta(seconds=1))


async def seed_unit(running: Running, roster_id: str, extra: list[Employee] | None = None) -> None:
    """A roster with the employee's unit: the employee, supervisor, superior, peers, a mentor."""

    def emp(n: str, level: PositionLevel, sup: str | None, name: str) -> Employee:
        return Employee(
            nip=n,
            name=name,
            unit_code="DUKCAPIL",
            unit_name="Dinas Dukcapil",
            position="Staf",
            position_level=level,
            supervisor_nip=sup,
        )

    people = [
        emp(SUPERIOR, PositionLevel.JPT, None, "Kepala Dinas"),
        emp(SUPERVISOR, PositionLevel.ADMINISTRATOR, SUPERIOR, "Kabid"),
        emp(MENTOR, PositionLevel.PENGAWAS, SUPERVISOR, "Kasi Senior"),
        emp(EMPLOYEE, PositionLevel.PELAKSANA, MENTOR, "Pegawai"),
        *[emp(p, PositionLevel.PELAKSANA, MENTOR, f"Rekan {i}") for i, p in enumerate(PEERS)],
        *(extra or []),
    ]
    async with running.sessions() as session, session.begin():
        await add_roster(session, roster_id, "test", people, checksum="x")
