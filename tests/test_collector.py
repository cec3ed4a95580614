"""The worker's collector tuning: start-up's objects frozen out of later collections, the young
threshold raised, the pauses counted, and the garbage of work collected while the worker works
and once after."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import platform
import time
import weakref
from collections.abc import Callable, Iterator

import pytest
from pydantic import ValidationError

from appraisal_engine.appraisal.collector import (
    TIDY_EVERY_S,
    YOUNG_THRESHOLD,
    Pauses,
    c_allocator_trim,
    tidied_after_work,
    tidy,
    tidy_after_work,
    tune_collector,
)
from appraisal_engine.appraisal.settings import Settings


@pytest.fixture
def collector_restored() -> Iterator[None]:
    """The test process's collector as it was, whatever the test did to it."""
    threshold = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*threshold)


@pytest.mark.usefixtures("collector_restored")
def test_tuning_freezes_what_is_alive_and_raises_the_young_threshold() -> None:
    gc.unfreeze()
    alive_before: list[object] = []  # a container: the collector tracks it
    assert any(alive_before is o for o in gc.get_objects())
    _, middle, old = gc.get_threshold()
    tune_collector()
    assert gc.get_freeze_count() > 0
    assert gc.get_threshold() == (YOUNG_THRESHOLD, middle, old)
    assert not any(alive_before is o for o in gc.get_objects())  # frozen: no collection sees it
    born_after: list[object] = []
    assert any(born_after is o for o in gc.get_objects())


def test_pauses_are_counted_per_generation_while_installed() -> None:
    with Pauses() as pauses:
        gc.collect(0)
        gc.collect(2)
    after = pauses.summary()
    gc.collect()  # uninstalled: no longer counted
    assert pauses.counts[0] >= 1 and pauses.counts[2] >= 1
    assert pauses.summary() == after
    assert after["collections"] == sum(pauses.counts)
    assert after["oldest_generation"] == pauses.counts[2]
    assert 0 <= after["longest_ms"] <= after["total_ms"]


@pytest.fixture
def collections_by_hand() -> Iterator[None]:
    """No automatic collection during the test: a collection happens only when the test makes
    one, so "work" and "quiet" are what the test says they are."""
    enabled = gc.isenabled()
    gc.disable()
    yield
    if enabled:
        gc.enable()


async def _until(condition: Callable[[], bool], seconds: float = 5.0) -> None:
    for _ in range(int(seconds / 0.01)):
        if condition():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("the condition never held")


@pytest.mark.usefixtures("collections_by_hand")
async def test_the_process_is_tidied_while_it_works_and_once_after_never_while_quiet() -> None:
    tidied: list[float] = []

    def tidy_up() -> int:
        tidied.append(time.monotonic())
        return 0

    watcher = asyncio.create_task(tidy_after_work(0.02, tidy_up=tidy_up))
    try:
        await asyncio.sleep(0.2)  # quiet from the start: nothing to tidy
        assert tidied == []
        for _ in range(20):  # work: a collection between every two looks
            gc.collect(0)
            await asyncio.sleep(0.01)
        assert len(tidied) >= 2  # tidied while it works, not only at the end
        await asyncio.sleep(0.1)  # the first look after the work tidies what it left
        after_work = len(tidied)
        await asyncio.sleep(0.2)  # quiet: never tidied again for the same work
        assert len(tidied) == after_work
        gc.collect(0)  # a little more work: tidied once more
        await _until(lambda: len(tidied) == after_work + 1)
        await asyncio.sleep(0.2)
        assert len(tidied) == after_work + 1
    finally:
        watcher.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await watcher


@pytest.mark.usefixtures("collections_by_hand")
def test_tidying_frees_what_only_a_full_collection_frees() -> None:
    class Node:
        other: Node | None = None

    a, b = Node(), Node()
    a.other, b.other = b, a  # a cycle: reference counts alone never free it
    gc.collect()
    gc.collect()  # both now in the oldest generation, like a cached workflow's state
    gone = weakref.ref(a)
    del a, b
    gc.collect(0)
    gc.collect(1)
    assert gone() is not None  # younger collections leave an old cycle alone
    tidy()
    assert gone() is None


@pytest.mark.usefixtures("collections_by_hand")
async def test_a_failing_tidy_is_logged_and_the_watcher_goes_on(
    caplog: pytest.LogCaptureFixture,
) -> None:
    tries: list[int] = []

    def tidy_up() -> int:
        tries.append(1)
        raise RuntimeError("no room to tidy")

    watcher = asyncio.create_task(tidy_after_work(0.02, tidy_up=tidy_up))
    try:
        await asyncio.sleep(0.05)  # the watcher has taken its first count
        gc.collect(0)
        await _until(lambda: len(tries) == 1)
        gc.collect(0)
        await _until(lambda: len(tries) == 2)  # still looking after the first failure
    finally:
        watcher.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await watcher
    assert "tidying up after work failed" in caplog.text


def test_the_trim_is_looked_up_once_and_found_with_glibc() -> None:
    assert c_allocator_trim() is c_allocator_trim()
    if platform.libc_ver()[0] == "glibc":
        assert c_allocator_trim() is not None


async def test_the_watcher_stops_with_its_block() -> None:
    async with tidied_after_work(0.01):
        watchers = [t for t in asyncio.all_tasks() if "tidy_after_work" in repr(t.get_coro())]
        assert len(watchers) == 1
    assert watchers[0].done()


def test_how_often_a_worker_tidies_is_a_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("WORKER_TIDY_EVERY_SECONDS", raising=False)
    assert Settings(_env_file=None).worker_tidy_every_seconds == TIDY_EVERY_S == 2.0
    monkeypatch.setenv("WORKER_TIDY_EVERY_SECONDS", "10")
    assert Settings(_env_file=None).worker_tidy_every_seconds == 10.0
    monkeypatch.setenv("WORKER_TIDY_EVERY_SECONDS", "0")
    with pytest.raises(ValidationError, match="worker_tidy_every_seconds"):
        Settings(_env_file=None)
