"""The reference workflows of the benchmarks: they do (almost) nothing, in the stock sandbox."""

from __future__ import annotations

from dataclasses import dataclass

from temporalio import workflow


@workflow.defn
class Trivial:
    """Return at once."""

    @workflow.run
    async def run(self) -> None:
        """Nothing to do."""


@workflow.defn
class Waiting:
    """Wait until terminated, answering a query: the plainest read of a running workflow."""

    @workflow.run
    async def run(self) -> None:
        """Wait for ever."""
        await workflow.wait_condition(lambda: False)

    @workflow.query
    def state(self) -> str:
        """A constant answer."""
        return "waiting"


@workflow.defn
class Flagged:
    """Wait until an update sets a flag, then return: the plainest update of a running workflow."""

    def __init__(self) -> None:
        self._flag = False

    @workflow.run
    async def run(self) -> None:
        """Wait for the flag."""
        await workflow.wait_condition(lambda: self._flag)

    @workflow.update
    def set_flag(self) -> bool:
        """Set the flag; answer that it is set."""
        self._flag = True
        return self._flag


@dataclass
class Steps:
    """What one `Stepped` workflow does: this many updates and signals, and this many timers
    one after another, `gap_seconds` each."""

    updates: int
    signals: int
    timers: int
    gap_seconds: float


@workflow.defn
class Stepped:
    """Fire its timers one after another while taking its updates and signals; return once all
    are in: the plainest workflow that does what a simulated appraisal does with Temporal."""

    def __init__(self) -> None:
        self._updates = 0
        self._signals = 0

    @workflow.run
    async def run(self, steps: Steps) -> None:
        """The timers, then wait for the rest of the updates and signals."""
        for _ in range(steps.timers):
            await workflow.sleep(steps.gap_seconds)
        await workflow.wait_condition(
            lambda: self._updates >= steps.updates and self._signals >= steps.signals
        )

    @workflow.update
    def step(self) -> int:
        """Count an update; answer how many came."""
        self._updates += 1
        return self._updates

    @workflow.signal
    def nudge(self) -> None:
        """Count a signal."""
        self._signals += 1
