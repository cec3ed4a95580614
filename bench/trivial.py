"""The reference workflow of every benchmark: it does nothing, in the stock sandbox."""

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
