"""The cycle under Temporal's history limits, and community scores reaching a unit's reviews."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio.client import WorkflowHistory, WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError
from temporalio.testing import WorkflowEnvironment

from appraisal_engine.activities.notify import LoggingNotifier
from appraisal_engine.appraisal.servers import start_dev_server
from appraisal_engine.appraisal.worker import build_worker
from appraisal_engine.client.starters import CycleHandle, launch_cycle
from appraisal_engine.domain.presets import BINJAI, NATIONAL
from appraisal_engine.simulator.roster import generate_roster
from appraisal_engine.store.repositories.rosters import add_roster
from appraisal_engine.workflows import ids
from appraisal_engine.workflows.appraisal.workflow import AppraisalWorkflow
from appraisal_engine.workflows.cycle import CycleWorkflow
from appraisal_engine.workflows.cycle_messages import (
    AppraisalProgress,
    CommunityFeedbackInput,
    CycleStatus,
)
from appraisal_engine.workflows.ids import appraisal_workflow_id
from tests.workflows.conftest import Running
from tests.workflows.cycle_driver import batch_timeline, batches_at_once

HR = "197001012000011001"
REGIONAL_HEAD = "196501011990011001"
APPEALS_OFFICER = "196601011985031001"


@pytest.fixture(scope="module")
async def small_history_env() -> AsyncIterator[WorkflowEnvironment]:
    """A dev server that suggests continue-as-new after 300 events instead of thousands."""
    env = await start_dev_server(
        extra_args=["--dynamic-config-value", "limit.historyCount.suggestContinueAsNew=300"]
    )
    yield env
    await env.shutdown()


async def launched(
    running: Running,
    policy_name: str,
    n: int,
    *,
    env: WorkflowEnvironment | None = None,
    batch_size: int = 2000,
    units: int = 1,
    changes: dict[str, object] | None = None,
) -> tuple[CycleHandle, list[str]]:
    """A small cycle, launched, waiting for its appraisals."""
    employees = generate_roster(n, units=units, seed=n)
    roster_id = f"roster-{uuid.uuid4().hex[:8]}"
    async with running.sessions() as session, session.begin():
        await add_roster(session, roster_id, "kota-uji", employees, checksum=roster_id)
    policy = (BINJAI if policy_name == "binjai" else NATIONAL).model_copy(
        update={
            "regional_head_nip": REGIONAL_HEAD,
            "appeals_officer_nip": APPEALS_OFFICER,
            **(changes or {}),
        }
    )
    client = (env or running.env).client
    cycle = await launch_cycle(
        client,
        org=f"kota-{uuid.uuid4().hex[:6]}",
        year=2030,
        roster_id=roster_id,
        policy=policy,
        task_queue=running.task_queue,
        year_start=datetime.now(UTC) - timedelta(days=30),
        batch_size=batch_size,
    )
    for _ in range(1200):
        status = await cycle.query(CycleWorkflow.status)
        if status.launch_done:
            return cycle, [e.nip for e in employees]
        await asyncio.sleep(0.05)
    raise AssertionError("launch did not finish")


async def test_counters_survive_continue_as_new(
    small_history_env: WorkflowEnvironment, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    env = small_history_env
    queue = f"tq-{uuid.uuid4()}"
    async with build_worker(env.client, queue, session_factory, notifier=LoggingNotifier()):
        running = Running(env, env.client, queue, LoggingNotifier(), session_factory)
        cycle, _ = await launched(running, "national", 8, env=env)
        before: CycleStatus = await cycle.query(CycleWorkflow.status)
        unit = next(iter(before.units))
        # 400 synthetic moves there and back: the counters must end where they started.
        # 400 synthetic moves there and back, then 3 that stay: the counters must show the 3.
        moves = [("targets", "monitoring"), ("monitoring", "targets")] * 200
        moves += [("targets", "monitoring")] * 3
        for i, (prev, new) in enumerate(moves):
            await cycle.signal(
                CycleWorkflow.appraisal_progress,
                AppraisalProgress(
                    appraisal_id=f"x-{i}", unit_code=unit, previous_stage=prev, stage=new
                ),
            )
        expected = {"targets": 5, "monitoring": 3}
        for _ in range(200):
            after: CycleStatus = await cycle.query(CycleWorkflow.status)
            if after.runs > 1 and after.units[unit].stages == expected:
                break
            await asyncio.sleep(0.05)
        assert after.runs > 1  # it continued as new at least once
        assert before.units[unit].stages == {"targets": 8}
        assert after.units[unit].stages == expected  # carried through continue-as-new
        assert after.launched == before.launched == 8
        assert len((await cycle.fetch_history()).events) < 400
        await cycle.terminate()


async def test_a_launch_continued_as_new_midway_starts_everyone_once(
    small_history_env: WorkflowEnvironment, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    env = small_history_env
    queue = f"tq-{uuid.uuid4()}"
    n = 120
    async with build_worker(env.client, queue, session_factory, notifier=LoggingNotifier()):
        running = Running(env, env.client, queue, LoggingNotifier(), session_factory)
        # One employee a batch: at least three events each (scheduled, started, completed),
        # so the 300-event suggestion comes before the last of 120 batches has gone out.
        cycle, nips = await launched(running, "national", n, env=env, batch_size=1)
        status: CycleStatus = await cycle.query(CycleWorkflow.status)
        assert status.launched == n and status.runs > 1
        history = await cycle.fetch_history()
        while previous := _continued_from(history):  # back to the cycle's first run
            first = env.client.get_workflow_handle(cycle.id, run_id=previous)
            history = await first.fetch_history()
        timeline = batch_timeline(history)
        sent = {(d, o) for kind, d, o in timeline if kind == "sent"}
        # The first run stopped sending midway and waited for every batch it had sent.
        assert 0 < len(sent) < n
        assert {(d, o) for kind, d, o in timeline if kind == "done"} == sent
        assert batches_at_once(timeline) == 2
        cycle_id = ids.cycle_id(status.org, status.year)
        for nip in nips:  # none left out (and `launched` counted each once)
            await env.client.get_workflow_handle(appraisal_workflow_id(cycle_id, nip)).terminate()
        await cycle.terminate()


def _continued_from(history: WorkflowHistory) -> str:
    """The run this one continued as new from, or "" for a first run."""
    started = history.events[0].workflow_execution_started_event_attributes
    return started.continued_execution_run_id


async def test_community_scores_reach_every_appraisal_of_the_unit(running_dev: Running) -> None:
    cycle, nips = await launched(running_dev, "binjai", 6)
    status = await cycle.query(CycleWorkflow.status)
    unit = next(iter(status.units))
    done = await cycle.execute_update(
        CycleWorkflow.community_feedback, CommunityFeedbackInput(actor_nip=HR, scores={unit: 3.2})
    )
    assert done.units[unit].community_score == 3.2
    cycle_id = ids.cycle_id(status.org, status.year)
    for nip in nips:
        handle = running_dev.client.get_workflow_handle(appraisal_workflow_id(cycle_id, nip))
        state = await handle.query(AppraisalWorkflow.state)
        assert state.community_score == 3.2
    with pytest.raises(WorkflowUpdateFailedError) as err:
        await cycle.execute_update(
            CycleWorkflow.community_feedback,
            CommunityFeedbackInput(actor_nip=HR, scores={"NOWHERE": 4.0}),
        )
    assert isinstance(err.value.cause, ApplicationError)
    assert err.value.cause.type == "InvalidPayload"
    await cycle.terminate()


async def test_a_policy_without_community_feedback_refuses_scores(running_dev: Running) -> None:
    cycle, _ = await launched(running_dev, "national", 4)
    unit = next(iter((await cycle.query(CycleWorkflow.status)).units))
    with pytest.raises(WorkflowUpdateFailedError) as err:
        await cycle.execute_update(
            CycleWorkflow.community_feedback,
            CommunityFeedbackInput(actor_nip=HR, scores={unit: 4.0}),
        )
    assert isinstance(err.value.cause, ApplicationError)
    assert err.value.cause.type == "NotAllowed"
    await cycle.terminate()


async def test_a_policy_listing_its_service_units_refuses_a_back_office_score(
    running_dev: Running,
) -> None:
    # Binjai's rules with only the health office serving citizens: the school office of the
    # same city is a back office here, and a score for it is refused, with the health office's
    # score sent beside it (all or nothing).
    rules = BINJAI.community.model_copy(update={"service_units": ["DINKES"]})
    cycle, nips = await launched(running_dev, "binjai", 8, units=2, changes={"community": rules})
    status = await cycle.query(CycleWorkflow.status)
    assert set(status.units) == {"DINKES", "DISDIK"}
    with pytest.raises(WorkflowUpdateFailedError) as err:
        await cycle.execute_update(
            CycleWorkflow.community_feedback,
            CommunityFeedbackInput(actor_nip=HR, scores={"DINKES": 3.0, "DISDIK": 2.0}),
        )
    cause = err.value.cause
    assert isinstance(cause, ApplicationError) and cause.type == "InvalidPayload"
    assert "['DISDIK'] do not serve citizens" in str(cause)
    assert cause.details and cause.details[0]["field"] == "scores"
    after = await cycle.query(CycleWorkflow.status)
    assert after.units["DINKES"].community_score is None
    done = await cycle.execute_update(
        CycleWorkflow.community_feedback,
        CommunityFeedbackInput(actor_nip=HR, scores={"DINKES": 3.0}),
    )
    assert done.units["DINKES"].community_score == 3.0
    cycle_id = ids.cycle_id(status.org, status.year)
    for nip in nips:
        await running_dev.client.get_workflow_handle(
            appraisal_workflow_id(cycle_id, nip)
        ).terminate()
    await cycle.terminate()
