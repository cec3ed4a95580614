"""The dev server's settings: the search-attribute registry is cached and a task queue has one
partition, unless the caller says otherwise; the cache is what saves reads per start."""

from __future__ import annotations

import asyncio
import itertools
import uuid
from typing import Any

import pytest
from temporalio.common import SearchAttributePair, TypedSearchAttributes
from temporalio.testing import WorkflowEnvironment

from appraisal_engine.appraisal.servers import (
    SEARCH_ATTRIBUTE_REFRESH,
    dev_config_args,
    server_counters,
    start_dev_server,
)
from appraisal_engine.workflows import search_attributes as sa
from tests.ports import free_port


async def _args_passed(monkeypatch: pytest.MonkeyPatch, **kwargs: Any) -> list[str]:
    seen: dict[str, Any] = {}

    async def start_local(**options: Any) -> None:
        seen.update(options)

    monkeypatch.setattr(WorkflowEnvironment, "start_local", start_local)
    await start_dev_server(**kwargs)
    args: list[str] = seen["dev_server_extra_args"]
    return [v for flag, v in itertools.pairwise(args) if flag == "--dynamic-config-value"]


async def test_the_dev_server_caches_attributes_and_keeps_one_partition(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    values = await _args_passed(monkeypatch)
    assert f"{SEARCH_ATTRIBUTE_REFRESH}=false" in values
    assert "matching.numTaskqueueReadPartitions=1" in values
    assert "matching.numTaskqueueWritePartitions=1" in values


async def test_a_setting_the_caller_gives_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    mine = ["--dynamic-config-value", "matching.numTaskqueueReadPartitions=4"]
    values = await _args_passed(monkeypatch, extra_args=mine)
    assert [v for v in values if v.startswith("matching.numTaskqueueReadPartitions=")] == [
        "matching.numTaskqueueReadPartitions=4"
    ]
    assert f"{SEARCH_ATTRIBUTE_REFRESH}=false" in values
    # The one-argument form counts too.
    assert dev_config_args([f"--dynamic-config-value={SEARCH_ATTRIBUTE_REFRESH}=true"]) == [
        "--dynamic-config-value",
        "matching.numTaskqueueReadPartitions=1",
        "--dynamic-config-value",
        "matching.numTaskqueueWritePartitions=1",
    ]


async def _registry_reads_for_starts(extra: list[str], starts: int) -> float:
    """How often the server read its cluster metadata while workflows with attributes started."""
    port = free_port()
    env = await start_dev_server(extra_args=["--metrics-port", str(port), *extra])

    async def reads() -> float:
        await asyncio.sleep(2)  # the server publishes its metrics about once a second
        return server_counters(port)[("persistence_requests_total", "GetCurrentClusterMetadata")]

    try:
        attrs = TypedSearchAttributes(
            [SearchAttributePair(sa.CYCLE, "kota-2031"), SearchAttributePair(sa.UNIT, "U1")]
        )
        queue = f"nobody-{uuid.uuid4().hex[:6]}"
        before = await reads()
        for i in range(starts):
            await env.client.start_workflow(
                "Nobody", id=f"{queue}-{i}", task_queue=queue, search_attributes=attrs
            )
        return await reads() - before
    finally:
        await env.shutdown()


async def test_starts_with_search_attributes_do_not_each_read_the_registry() -> None:
    cached = await _registry_reads_for_starts([], 20)
    forced = await _registry_reads_for_starts(
        ["--dynamic-config-value", f"{SEARCH_ATTRIBUTE_REFRESH}=true"], 20
    )
    assert forced >= 20  # the dev server's own default: at least one read per start
    assert cached <= 2  # at most the cache's first load, whatever the number of starts
