"""A scripted year for one fictional employee, under the time-skipping test server."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from appraisal_engine.activities.notify import LoggingNotifier
from appraisal_engine.domain.catalogs import N_
from appraisal_engine.domain.employee import Employee, PositionLevel
from appraisal_engine.domain.policy import Policy
from appraisal_engine.domain.ratings import Rating
from appraisal_engine.simulator.backend import Backend
from appraisal_engine.simulator.scripted import (
    EMPLOYEE,
    MENTOR,
    PEERS,
    SUPERIOR,
    SUPERVISOR,
    Actors,
    drive_year,
    first_task_opened,
)
from appraisal_engine.store.db import make_engine, make_session_factory
from appraisal_engine.store.migrate import upgrade
from appraisal_engine.store.repositories.rosters import add_roster
from appraisal_engine.workflows.appraisal.workflow import AppraisalWorkflow
from appraisal_engine.workflows.messages import (
    AppraisalInput,
    AppraisalResult,
    AppraisalState,
    TaskCompleted,
)

UNIT = "DUKCAPIL"
PEOPLE = [  # fictional, with valid NIPs
    (SUPERIOR, "Drs. Hendra Siregar", PositionLevel.JPT, None),
    (SUPERVISOR, "Rina Marpaung, S.Sos", PositionLevel.ADMINISTRATOR, SUPERIOR),
    (MENTOR, "Budi Santoso, S.Kom", PositionLevel.PENGAWAS, SUPERVISOR),
    (EMPLOYEE, "Siti Nurhaliza Lubis", PositionLevel.PELAKSANA, MENTOR),
    *[(p, f"Rekan Kerja {i + 1}", PositionLevel.PELAKSANA, MENTOR) for i, p in enumerate(PEERS)],
]
Words = Callable[..., str]
"""A message in the reader's language with its %(name)s placeholders filled in (the command
line's `_`); the default is the English message itself."""


def english(message: str, /, **values: object) -> str:
    """The message as written, its placeholders filled in."""
    return message % values if values else message


ROLES = {
    EMPLOYEE: N_("employee"),
    SUPERVISOR: N_("supervisor"),
    SUPERIOR: N_("superior"),
    MENTOR: N_("mentor"),
}
PEER = N_("peer")
STEP = N_("day %(day)3s  %(who)-10s  %(kind)s -> %(stage)s")


@dataclass
class DemoRun:
    """What the demo shows at the end."""

    result: AppraisalResult
    state: AppraisalState
    steps: list[str]


async def run_demo(
    policy: Policy,
    database_url: str,
    *,
    backend: Backend,
    results: Rating = Rating.MEETS,
    behaviour: Rating = Rating.ABOVE,
    say: Callable[[str], None] = print,
    words: Words = english,
    names: Callable[[Literal["kind", "stage"], str], str] = lambda _, code: code,
) -> DemoRun:
    """Run one employee's whole year with scripted actors and narrate each step, in the
    language `words` speaks, each task kind and stage as `names` calls its code (the code
    itself by default)."""
    await upgrade(database_url)
    engine = make_engine(database_url)
    sessions = make_session_factory(engine)
    roster = f"demo-{uuid.uuid4().hex[:8]}"
    async with sessions() as session, session.begin():
        employees = [
            Employee(
                nip=n,
                name=name,
                unit_code=UNIT,
                unit_name="Dinas Kependudukan dan Pencatatan Sipil",
                position="Pelaksana",
                position_level=lvl,
                supervisor_nip=sup,
            )
            for n, name, lvl, sup in PEOPLE
        ]
        await add_roster(session, roster, "kota-demo", employees, checksum=roster)
    env = await backend.start_server()
    steps: list[str] = []
    try:
        start: datetime = await env.get_current_time()

        def narrate(done: TaskCompleted) -> None:
            t = done.task
            day = (t.closed_at or start) - start
            line = words(
                STEP,
                day=day.days,
                who=words(ROLES.get(t.assignee_nip, PEER)),
                kind=names("kind", t.kind.value),
                stage=names("stage", done.stage.value),
            )
            steps.append(line)
            say(line)

        async def skip(state: AppraisalState) -> None:
            now = await env.get_current_time()
            gap = (state.waiting_until - now) if state.waiting_until else timedelta(days=1)
            await env.sleep(max(gap, timedelta(0)) + timedelta(seconds=1))

        queue = f"demo-{uuid.uuid4().hex[:8]}"
        inp = AppraisalInput(
            roster_id=roster,
            employee_nip=EMPLOYEE,
            unit_code=UNIT,
            position_level=PositionLevel.PELAKSANA,
            supervisor_nip=SUPERVISOR,
            superior_nip=SUPERIOR,
            peer_nips=PEERS,
            policy=policy,
            community_score=4.1,
        )
        async with backend.worker(env.client, queue, sessions, notifier=LoggingNotifier()):
            handle = await env.client.start_workflow(
                AppraisalWorkflow.run,
                inp,
                id=f"appraisal-demo-{uuid.uuid4().hex[:8]}",
                task_queue=queue,
            )
            await first_task_opened(handle)
            actors = Actors(policy, results=results, behaviour=behaviour)
            state = await drive_year(handle, actors, skip, on_done=narrate)
            result = await handle.result()
    finally:
        await env.shutdown()
        await engine.dispose()
    return DemoRun(result=result, state=state, steps=steps)
