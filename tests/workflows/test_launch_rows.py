"""A launch batch stores its opening rows while its starts go on: in chunks, one write at a time,
in order; a failed write fails the batch."""

from __future__ import annotations

import asyncio
import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest

import appraisal_engine.activities.opening_rows as opening_rows
from appraisal_engine.activities.opening_rows import OpeningRows
from appraisal_engine.domain.records import AppraisalRecord
from tests.store.builders import appraisal


class FakeSessions:
    """Stands in for a session factory: each session's transaction is a context manager."""

    @asynccontextmanager
    async def _begin(self) -> AsyncIterator[None]:
        yield

    def begin(self) -> Any:
        return self._begin()

    def __call__(self) -> Any:
        @asynccontextmanager
        async def session() -> AsyncIterator[FakeSessions]:
            yield self

        return session()


@pytest.fixture
def writes(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """Each write's row ids, in the order writes finish; a write takes a moment and refuses to
    overlap another."""
    done: list[list[str]] = []
    busy = False

    async def add_new_appraisals(session: object, rows: list[AppraisalRecord]) -> None:
        nonlocal busy
        assert not busy, "two writes at once"
        busy = True
        await asyncio.sleep(0.01)
        if any(r.id == "refused" for r in rows):
            busy = False
            raise RuntimeError("database refused the write")
        done.append([r.id for r in rows])
        busy = False

    monkeypatch.setattr(opening_rows, "add_new_appraisals", add_new_appraisals)
    return done


async def test_rows_are_written_while_rows_still_arrive_in_order_one_write_at_a_time(
    writes: list[list[str]],
) -> None:
    rows = OpeningRows(FakeSessions(), per_write=3)  # type: ignore[arg-type]
    for i in range(3):
        rows.add(appraisal(id=f"a{i}"))
    await asyncio.sleep(0.05)
    assert writes == [["a0", "a1", "a2"]]  # a full chunk is stored before the batch ends
    for i in range(3, 8):
        rows.add(appraisal(id=f"a{i}"))
        await asyncio.sleep(0)  # starts finish one by one while earlier writes run
    await rows.close()
    assert writes == [["a0", "a1", "a2"], ["a3", "a4", "a5"], ["a6", "a7"]]


@pytest.mark.slow
async def test_after_a_failed_write_the_batch_stops_and_later_rows_wait_for_its_retry(
    writes: list[list[str]],
) -> None:
    seen: list[dict[str, Any]] = []
    asyncio.get_running_loop().set_exception_handler(lambda loop, context: seen.append(context))
    rows = OpeningRows(FakeSessions(), per_write=2)  # type: ignore[arg-type]
    for name in ("a0", "a1", "refused", "a3"):
        rows.add(appraisal(id=name))
    await asyncio.sleep(0.05)
    with pytest.raises(RuntimeError, match="refused"):  # the next start's row fails at once
        rows.add(appraisal(id="a4"))
    with pytest.raises(RuntimeError, match="refused"):
        await rows.close()
    assert writes == [["a0", "a1"]]  # the chunk before the failed one is kept
    del rows
    gc.collect()
    await asyncio.sleep(0)
    assert seen == []  # no write's error went unretrieved


async def test_rows_added_after_close_are_left_to_the_retry(writes: list[list[str]]) -> None:
    rows = OpeningRows(FakeSessions(), per_write=2)  # type: ignore[arg-type]
    rows.add(appraisal(id="a0"))
    await rows.close()
    rows.add(appraisal(id="late-1"))
    rows.add(appraisal(id="late-2"))
    await asyncio.sleep(0.05)
    assert writes == [["a0"]]


async def test_a_cancelled_close_lets_the_write_under_way_finish_and_cancels_the_rest(
    writes: list[list[str]],
) -> None:
    rows = OpeningRows(FakeSessions(), per_write=2)  # type: ignore[arg-type]
    for name in ("a0", "a1", "a2"):
        rows.add(appraisal(id=name))
    closing = asyncio.ensure_future(rows.close())
    await asyncio.sleep(0)  # the first write is under way; close has queued the last one
    closing.cancel()  # before the last write has run a step, so it never waits on the first
    with pytest.raises(asyncio.CancelledError):
        await closing
    assert len(rows._writes) == 2 and all(w.done() for w in rows._writes)
    # The first write was not cut mid-transaction (on SQLite that can leave the database
    # locked); the one not yet begun never began.
    assert writes == [["a0", "a1"]]
