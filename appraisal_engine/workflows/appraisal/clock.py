"""The year's clock: its pending timers, and whether it has reacted to what just happened."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from datetime import datetime
from itertools import count
from typing import Any, TypeVar

from temporalio import workflow

T = TypeVar("T")


class Cancelled(Exception):
    """Raised inside the year's coroutines once HR has cancelled the appraisal."""


class Clock:
    """Waits on conditions and deadlines, and counts the year's coroutines not yet waiting.

    An update that closes a task returns once the year has reacted: the task's closing was
    observed and every coroutine of the year is blocked again, so its answer shows what
    followed."""

    def __init__(self, cancelled: Callable[[], bool]) -> None:
        self._cancelled = cancelled
        self._timers: dict[int, datetime] = {}
        self._timer_ids = count(1)
        self._running = 1  # coroutines of the year not blocked in wait
        self._observed: set[str] = set()  # tasks whose closing the year has reacted to
        self._finished = False

    async def wait(self, cond: Callable[[], bool], until: datetime | None = None) -> bool:
        """Wait for `cond` (True) or `until` (False); raise Cancelled when HR cancels."""
        if self._cancelled():
            raise Cancelled
        if cond():
            return True
        timeout: float | None = None
        if until is not None:
            timeout = (until - workflow.now()).total_seconds()
            if timeout <= 0:
                return False
        token = next(self._timer_ids)
        if until is not None:
            self._timers[token] = until
        self._running -= 1
        try:
            await workflow.wait_condition(lambda: cond() or self._cancelled(), timeout=timeout)
        except TimeoutError:
            if self._cancelled():
                raise Cancelled from None
            return False
        finally:
            self._running += 1
            self._timers.pop(token, None)
        if self._cancelled():
            raise Cancelled
        return True

    async def fork(self, coros: list[Coroutine[Any, Any, T]]) -> list[T]:
        """Run coroutines side by side; while they run, this one counts as waiting."""
        if not coros:
            return []

        async def strand(c: Coroutine[Any, Any, T]) -> T:
            try:
                return await c
            finally:
                self._running -= 1

        self._running += len(coros) - 1
        try:
            return list(await asyncio.gather(*(strand(c) for c in coros)))
        finally:
            self._running += 1

    def observe(self, task_id: str) -> None:
        """The year has seen the task close and moves on from it."""
        self._observed.add(task_id)

    def settled(self, task_id: str) -> bool:
        """The year has reacted to the task's closing and is waiting again."""
        return self._finished or (task_id in self._observed and self._running <= 0)

    def finish(self) -> None:
        """The year is over: nothing more will react."""
        self._running = 0
        self._finished = True

    def next_wakeup(self) -> datetime | None:
        """The earliest deadline the year waits for."""
        return min(self._timers.values(), default=None)
