"""The worker's roster cache holds a roster while it is asked for, keeps a few at most, and lets
a roster go once nobody asked for it for a while; asked again, it loads it again."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

import appraisal_engine.activities.rosters as rosters
from appraisal_engine.activities.rosters import RosterCache
from appraisal_engine.domain.roster import Roster, validate_roster
from appraisal_engine.simulator.roster import generate_roster
from tests.workflows.cycle_driver import REGIONAL_HEAD
from tests.workflows.test_launch_rows import FakeSessions

EMPLOYEES = generate_roster(12, units=1, seed=7)


@pytest.fixture
def loads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The rosters loaded from the store, in order (each a generated roster of 12)."""
    loaded: list[str] = []

    async def list_employees(session: object, roster_id: str) -> list[Any]:
        loaded.append(roster_id)
        return list(EMPLOYEES)

    monkeypatch.setattr(rosters, "list_employees", list_employees)
    return loaded


def roster() -> Roster:
    return validate_roster(
        [e.model_dump(mode="json") for e in EMPLOYEES], top_appraiser_nip=REGIONAL_HEAD
    )


async def test_a_roster_asked_for_is_loaded_once_and_let_go_when_nobody_asks(
    loads: list[str],
) -> None:
    cache = RosterCache(FakeSessions(), keep_for=1.0)  # type: ignore[arg-type]
    first = await cache.get("r1", REGIONAL_HEAD)
    for _ in range(4):  # asked for again and again, as a launch's batches do: kept
        await asyncio.sleep(0.1)
        assert await cache.get("r1", REGIONAL_HEAD) is first
    assert loads == ["r1"]
    await asyncio.sleep(2.5)  # nobody asked for in twice keep_for (and then some): let go
    assert not cache.holds("r1", REGIONAL_HEAD)
    again = await cache.get("r1", REGIONAL_HEAD)
    assert again is not first
    assert [e.nip for e in again.employees] == [e.nip for e in first.employees]
    assert loads == ["r1", "r1"]


async def test_the_cache_keeps_a_few_rosters_the_least_recently_asked_going_first(
    loads: list[str],
) -> None:
    cache = RosterCache(FakeSessions(), most=2)  # type: ignore[arg-type]
    cache.keep("r1", None, roster())
    cache.keep("r2", None, roster())
    await cache.get("r1", None)  # r1 asked for after r2
    cache.keep("r3", None, roster())
    assert [cache.holds(r, None) for r in ("r1", "r2", "r3")] == [True, False, True]
    assert loads == []  # r1 came from the cache
