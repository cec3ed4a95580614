"""Python's garbage collector tuned for a long-running worker, and its pauses counted.

A worker keeps many objects alive for a long time: the imported modules, the policies' models,
the cached workflows' state. With the interpreter's default thresholds a collection of the
oldest generation walks all of them, and on this machine's `bench.api` run such a collection
held the event loop for about half a second each time (13 of them, 6 s of a 3-minute run, with
another 6 s in the younger generations). Freezing what start-up allocated moves it out of every
later collection, and a larger first threshold makes the young collections rarer; together they
took the run's collector time from 12 s to about 5 s (docs/benchmarks.md).

A worker also leaves garbage that only a collection of the oldest generation frees: a workflow
pushed out of the sticky cache is torn down by exceptions thrown into its coroutines, and their
tracebacks, frames and tasks hold its whole state in reference cycles. The interpreter starts
such a collection only once enough new objects have survived into the oldest generation, so
a wave of evictions (a city's launch going through a cache of 1000) piles up dead workflows by
the hundred thousand objects, and the memory they took stays the process's once they are freed
(Python's allocator gives an arena back only when all of it is free). `tidy_after_work`
collects them every few seconds while the worker works and once more when it stops, and gives
the C allocator's free pages back (docs/benchmarks.md, worker memory)."""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import functools
import gc
import logging
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

log = logging.getLogger(__name__)

YOUNG_THRESHOLD = 10_000
"""Allocations between two collections of the youngest generation (the interpreter's default is
700): about 50 ms a collection on a busy worker, seventy-odd in a three-minute bench run."""


def tune_collector() -> None:
    """Collect once, freeze every object alive now (start-up's) out of later collections, and
    raise the youngest generation's threshold. Call it once, after start-up, before polling."""
    gc.collect()
    gc.freeze()
    _, middle, old = gc.get_threshold()
    gc.set_threshold(YOUNG_THRESHOLD, middle, old)


TIDY_EVERY_S = 2.0
"""How often `tidy_after_work` looks whether the process worked since its last look (a
collection in between, of any generation, means it did), and if so tidies up; the default of
WORKER_TIDY_EVERY_SECONDS. A launch's wave pushes a few hundred runs a second through the
cache: the sooner their garbage is collected, the fewer arenas the wave ever takes, and an arena
taken stays the process's while any block in it lives: every 2 s rather than 10 s, the worker
holds far less after a launch, for more CPU during it (docs/benchmarks.md, how often the worker
tidies)."""


def _collections() -> int:
    """Collections so far, of every generation: any of them means the process allocated."""
    return sum(int(generation["collections"]) for generation in gc.get_stats())


@functools.cache
def c_allocator_trim() -> Callable[[int], int] | None:
    """glibc's malloc_trim, which returns the allocator's free pages to the system; None
    where the C library has none (musl, macOS). Looked up once."""
    try:
        trim = ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError):
        return None
    trim.argtypes, trim.restype = [ctypes.c_size_t], ctypes.c_int
    return trim


def tidy() -> int:
    """Collect every generation, then give the C allocator's free pages back; how many
    unreachable objects the collection found."""
    found = gc.collect()
    trim = c_allocator_trim()
    if trim is not None:
        trim(0)
    return found


async def tidy_after_work(
    every: float = TIDY_EVERY_S, *, tidy_up: Callable[[], int] = tidy
) -> None:
    """Run for ever: look every `every` seconds, and tidy up when the process worked since the
    last look. A busy worker is tidied every `every` seconds (a full collection of a worker with
    a full cache takes a tenth of a second or two), the first look after its work ends tidies
    what the work left, and a quiet worker is never tidied twice for the same work."""
    seen = _collections()
    while True:
        await asyncio.sleep(every)
        if _collections() == seen:
            continue
        began = time.perf_counter()
        try:
            found = tidy_up()
        except Exception:  # memory upkeep must never stop the worker
            log.exception("tidying up after work failed")
        else:
            log.debug(
                "collected %d unreachable objects in %.0f ms",
                found,
                (time.perf_counter() - began) * 1000,
            )
        seen = _collections()


@contextlib.asynccontextmanager
async def tidied_after_work(every: float = TIDY_EVERY_S) -> AsyncIterator[None]:
    """`tidy_after_work` in the background while the block runs."""
    tidying = asyncio.create_task(tidy_after_work(every))
    try:
        yield
    finally:
        tidying.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await tidying


@dataclass
class Pauses:
    """The collector's pauses in this process while installed: how many per generation and
    how long they took in all."""

    counts: list[int] = field(default_factory=lambda: [0, 0, 0])
    seconds: list[float] = field(default_factory=lambda: [0.0, 0.0, 0.0])
    longest: float = 0.0
    _began: float = 0.0

    def _on_collect(self, phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            self._began = time.perf_counter()
            return
        took = time.perf_counter() - self._began
        generation = int(info["generation"])
        self.counts[generation] += 1
        self.seconds[generation] += took
        self.longest = max(self.longest, took)

    def __enter__(self) -> Pauses:
        gc.callbacks.append(self._on_collect)
        return self

    def __exit__(self, *_: object) -> None:
        gc.callbacks.remove(self._on_collect)

    def summary(self) -> dict[str, float | int]:
        """Collections, their total and longest pause in milliseconds."""
        return {
            "collections": sum(self.counts),
            "oldest_generation": self.counts[2],
            "total_ms": round(sum(self.seconds) * 1000, 1),
            "longest_ms": round(self.longest * 1000, 1),
        }
