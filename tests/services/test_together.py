"""Two reads asked at once: both run to their end before an error is raised."""

from __future__ import annotations

import asyncio

import pytest

from appraisal_engine.services.together import both


async def test_both_values_in_order() -> None:
    async def later(value: str) -> str:
        await asyncio.sleep(0.01)
        return value

    assert await both(later("a"), asyncio.sleep(0, result=2)) == ("a", 2)


async def test_an_error_waits_for_the_other_read_to_end() -> None:
    ended = asyncio.Event()

    async def fails() -> None:
        raise LookupError("first")

    async def slow() -> int:
        await asyncio.sleep(0.05)
        ended.set()
        return 1

    with pytest.raises(LookupError, match="first"):
        await both(fails(), slow())
    assert ended.is_set()  # not left running behind the refusal


async def test_the_first_error_is_raised_when_both_fail() -> None:
    async def fails(message: str) -> None:
        raise ValueError(message)

    with pytest.raises(ValueError, match="one"):
        await both(fails("one"), fails("two"))
