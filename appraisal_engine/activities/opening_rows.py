"""A launch batch's opening rows, stored in the read model while its starts go on."""

from __future__ import annotations

import asyncio

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio import activity

from appraisal_engine.domain.records import AppraisalRecord
from appraisal_engine.store.db import finish_before_cancel
from appraisal_engine.store.repositories.appraisals import add_new_appraisals


class OpeningRows:
    """A launch batch's opening rows, stored `per_write` at a time while its starts go on: one
    write at a time, in order. A row already there has moved on and is kept. Once a write has
    failed, `add` raises its error, so the batch stops starting and fails; `close` stores the
    rest, waits for every write, and raises a failed write's error."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], per_write: int) -> None:
        self._sessions, self._per_write = sessions, per_write
        self._pending: list[AppraisalRecord] = []
        self._writes: list[asyncio.Task[None]] = []
        self._closed = False

    def add(self, row: AppraisalRecord) -> None:
        last = self._writes[-1] if self._writes else None
        if last is not None and last.done() and not last.cancelled():
            error = last.exception()
            if error is not None:
                raise error
        self._pending.append(row)
        if len(self._pending) >= self._per_write and not self._closed:
            self._flush()

    def _flush(self) -> None:
        rows, self._pending = self._pending, []
        previous = self._writes[-1] if self._writes else None
        self._writes.append(asyncio.create_task(self._write(previous, rows)))

    async def _write(
        self, previous: asyncio.Task[None] | None, rows: list[AppraisalRecord]
    ) -> None:
        if previous is not None:
            await previous
        await finish_before_cancel(self._store(rows))  # a write under way is never cut

    async def _store(self, rows: list[AppraisalRecord]) -> None:
        async with self._sessions() as session, session.begin():
            await add_new_appraisals(session, rows)

    async def close(self) -> None:
        """Store what is left and wait for every write. Rows added later are not stored: a
        start still running when its batch failed leaves its row to the batch's retry. Should
        the wait itself be cancelled, every write not yet begun is cancelled, the one under way
        finishes, and all are awaited."""
        self._closed = True
        if self._pending:
            self._flush()
        if not self._writes:
            return
        try:
            await self._writes[-1]
        except BaseException:
            for write in self._writes:
                write.cancel()
            await asyncio.gather(*self._writes, return_exceptions=True)
            raise

    async def close_after_failure(self) -> None:
        """`close` for a batch that failed of its own error, which stays the error it fails
        with: a write that failed too is logged, and its rows are the retry's to store."""
        try:
            await self.close()
        except Exception as e:
            activity.logger.warning("a failed batch's rows not all stored: %s", type(e).__name__)
