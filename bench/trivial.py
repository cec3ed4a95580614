"""The reference workflow of every benchmark: it does nothing, in the stock sandbox."""

from __future__ import annotations

from temporalio import workflow


@workflow.defn
class Trivial:
    """Return at once."""

    @workflow.run
    async def run(self) -> None:
        """Nothing to do."""
