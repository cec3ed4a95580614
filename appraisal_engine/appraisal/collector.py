"""Python's garbage collector tuned for a long-running worker, and its pauses counted.

A worker keeps many objects alive for a long time: the imported modules, the policies' models,
the cached workflows' state. With the interpreter's default thresholds a collection of the
oldest generation walks all of them, and on this machine's `bench.api` run such a collection
held the event loop for about half a second each time (13 of them, 6 s of a 3-minute run, with
another 6 s in the younger generations). Freezing what start-up allocated moves it out of every
later collection, and a larger first threshold makes the young collections rarer; together they
took the run's collector time from 12 s to about 5 s (docs/benchmarks.md)."""

from __future__ import annotations

import gc
import time
from dataclasses import dataclass, field
from typing import Any

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
