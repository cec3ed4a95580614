"""The worker's launch batches share one start gate: two batches in flight hold no more starts
together than one alone, the later batch's starts wait behind the earlier's, and a batch waiting
at the gate keeps heartbeating."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime
from typing import Any

import pytest
from temporalio.testing import ActivityEnvironment

import appraisal_engine.activities.launch as launch_activities
import appraisal_engine.activities.opening_rows as opening_rows
import appraisal_engine.activities.rosters as rosters
from appraisal_engine.activities.launch import LaunchActivities
from appraisal_engine.activities.rosters import RosterCache
from appraisal_engine.domain.records import AppraisalRecord
from appraisal_engine.domain.roster import Roster, validate_roster
from appraisal_engine.simulator.roster import generate_roster
from appraisal_engine.workflows.cycle_messages import LaunchBatch
from appraisal_engine.workflows.ids import appraisal_workflow_id
from tests.workflows.cycle_driver import POLICY, REGIONAL_HEAD
from tests.workflows.test_launch_rows import FakeSessions

ROSTER = "roster-gate"


class FakeClient:
    """Starts take `pause` seconds; records each start's workflow id and time, and how many
    were going at once."""

    def __init__(self, pause: float) -> None:
        self.pause, self.going, self.most = pause, 0, 0
        self.starts: list[tuple[str, float]] = []

    async def start_workflow(self, run: object, inp: object, *, id: str, **_: Any) -> None:
        self.going += 1
        self.most = max(self.most, self.going)
        self.starts.append((id, time.monotonic()))
        await asyncio.sleep(self.pause)
        self.going -= 1


@pytest.fixture(autouse=True)
def no_database(monkeypatch: pytest.MonkeyPatch) -> None:
    async def add_new_appraisals(session: object, rows: list[AppraisalRecord]) -> None:
        return None

    monkeypatch.setattr(opening_rows, "add_new_appraisals", add_new_appraisals)


def activities(client: FakeClient, concurrency: int) -> tuple[LaunchActivities, Roster]:
    """Activities whose roster is already cached, and that roster."""
    cache = RosterCache(FakeSessions())  # type: ignore[arg-type]
    rows = [e.model_dump(mode="json") for e in generate_roster(40, units=1, seed=4)]
    roster = validate_roster(rows, top_appraiser_nip=REGIONAL_HEAD)
    cache.keep(ROSTER, REGIONAL_HEAD, roster)
    acts = LaunchActivities(
        client,  # type: ignore[arg-type]
        FakeSessions(),  # type: ignore[arg-type]
        "q",
        cache,
        concurrency=concurrency,
    )
    return acts, roster


def batch(depth: int, offset: int, limit: int) -> LaunchBatch:
    return LaunchBatch(
        cycle_id="gate",
        cycle_workflow_id="cycle-gate",
        roster_id=ROSTER,
        policy=POLICY,
        year_start=datetime.now(UTC),
        depth=depth,
        offset=offset,
        limit=limit,
    )


async def test_two_batches_share_the_gate_the_later_waiting_behind_the_earlier() -> None:
    client = FakeClient(pause=0.005)
    acts, roster = activities(client, concurrency=3)
    deepest = len(roster.launch_order()[-1])
    half = deepest // 2
    first, second = await asyncio.gather(
        acts.launch_batch(batch(3, 0, half)), acts.launch_batch(batch(3, half, half))
    )
    assert first.started == second.started == half
    assert client.most == 3  # not three for each batch
    ids = [i for i, _ in client.starts]
    earlier = {appraisal_workflow_id("gate", nip) for nip in roster.level(3)[:half]}
    assert set(ids[:half]) == earlier  # every start of the earlier batch went out first


async def test_a_batch_waiting_at_the_gate_heartbeats(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(launch_activities, "HEARTBEAT_EVERY", 0.01)
    client = FakeClient(pause=0.02)
    acts, _ = activities(client, concurrency=1)
    waiting = ActivityEnvironment()
    beats: list[float] = []
    waiting.on_heartbeat = lambda *_: beats.append(time.monotonic())
    ahead = acts.launch_batch(batch(3, 0, 10))  # ten starts, one at a time: 0.2 s
    behind = waiting.run(acts.launch_batch, batch(3, 10, 1))
    await asyncio.gather(ahead, behind)
    (its_start,) = [t for i, t in client.starts[10:]]
    assert len(client.starts) == 11
    assert sum(b < its_start for b in beats) >= 5  # while the gate held it back


async def test_two_batches_after_a_restart_load_the_roster_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    employees = generate_roster(40, units=1, seed=4)
    loads = 0

    async def list_employees(session: object, roster_id: str) -> list[Any]:
        nonlocal loads
        loads += 1
        await asyncio.sleep(0.01)
        return employees

    monkeypatch.setattr(rosters, "list_employees", list_employees)
    client = FakeClient(pause=0)
    sessions = FakeSessions()
    acts = LaunchActivities(client, sessions, "q", RosterCache(sessions))  # type: ignore[arg-type]
    results = await asyncio.gather(
        acts.launch_batch(batch(3, 0, 5)), acts.launch_batch(batch(3, 5, 5))
    )
    assert [r.started for r in results] == [5, 5] and loads == 1


async def test_the_launchs_last_batch_lets_its_roster_go() -> None:
    _, roster = activities(FakeClient(pause=0), concurrency=3)
    cache = RosterCache(FakeSessions())  # type: ignore[arg-type]
    cache.keep(ROSTER, REGIONAL_HEAD, roster)
    acts = LaunchActivities(FakeClient(pause=0), FakeSessions(), "q", cache)  # type: ignore[arg-type]
    deepest = roster.depths() - 1
    last = len(roster.level(deepest))
    await acts.launch_batch(batch(0, 0, len(roster.level(0))))  # a whole level, not the last
    await acts.launch_batch(batch(deepest, 0, last - 1))  # the last level but one of its NIPs
    assert cache.holds(ROSTER, REGIONAL_HEAD)
    await acts.launch_batch(batch(deepest, last - 1, 10))  # the rest: the launch is done
    assert not cache.holds(ROSTER, REGIONAL_HEAD)
    assert roster.depths() == len(roster.launch_order())
