"""The reference workflows of the benchmarks: they do (almost) nothing, in the stock sandbox."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import timedelta

from temporalio import activity, workflow


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


@activity.defn
async def write_nothing(seconds: float) -> None:
    """Stand in for a write that takes `seconds` (none at all by default)."""
    if seconds:
        await asyncio.sleep(seconds)


@workflow.defn
class Flagged:
    """Wait until an update sets a flag, then return: the plainest update of a running workflow
    (`set_flag`). Two more shapes of the same update for comparison: the flag set once an
    activity that does nothing is done (`set_after_activity`: accepted in one workflow task,
    answered in the next, as an update whose write must follow its task's commit), and once a
    local activity that does nothing is done (`set_after_local_activity`: answered in the
    workflow task that accepts it). They repeat `Written`'s two shapes on purpose: here each
    update also completes the workflow, as the trivial one does, so the three compare."""

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

    @workflow.update
    async def set_after_activity(self) -> bool:
        """Set the flag once an activity that does nothing is done."""
        await workflow.execute_activity(
            write_nothing, 0.0, start_to_close_timeout=timedelta(seconds=30)
        )
        self._flag = True
        return self._flag

    @workflow.update
    async def set_after_local_activity(self) -> bool:
        """Set the flag once a local activity that does nothing is done."""
        await workflow.execute_local_activity(
            write_nothing, 0.0, start_to_close_timeout=timedelta(seconds=30)
        )
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


@workflow.defn
class Written:
    """Take updates of three shapes until told to stop: one that sets a flag (the trivial
    update), one answered once an activity is done (accepted in a workflow task that schedules
    the activity, answered in the next), and one answered once a local activity is done (inside
    the workflow task that accepts it)."""

    def __init__(self) -> None:
        self._done = False

    @workflow.run
    async def run(self) -> None:
        """Wait until stopped."""
        await workflow.wait_condition(lambda: self._done)

    @workflow.update
    def set_flag(self) -> bool:
        """The trivial update."""
        return True

    @workflow.update
    async def after_activity(self, seconds: float) -> bool:
        """Answer once an activity taking `seconds` is done."""
        await workflow.execute_activity(
            write_nothing, seconds, start_to_close_timeout=timedelta(seconds=30)
        )
        return True

    @workflow.update
    async def after_local_activity(self, seconds: float) -> bool:
        """Answer once a local activity taking `seconds` is done."""
        await workflow.execute_local_activity(
            write_nothing, seconds, start_to_close_timeout=timedelta(seconds=30)
        )
        return True

    @workflow.signal
    def stop(self) -> None:
        """Return."""
        self._done = True
