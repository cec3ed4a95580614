"""The worker's collector tuning: start-up's objects frozen out of later collections, the young
threshold raised, and the pauses counted."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from appraisal_engine.appraisal.collector import YOUNG_THRESHOLD, Pauses, tune_collector


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
