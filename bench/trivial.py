"""The reference workflows of the benchmarks: they do (almost) nothing, in the stock sandbox."""

from __future__ import annotations

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
