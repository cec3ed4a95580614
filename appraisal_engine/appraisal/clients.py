"""One way to reach Temporal and the database from the command line and the worker."""

from __future__ import annotations

import re

from temporalio.client import Client
from temporalio.converter import DataConverter
from temporalio.runtime import PrometheusConfig, Runtime, TelemetryConfig

from appraisal_engine.appraisal.settings import Settings
from appraisal_engine.workflows.codec import data_converter, parse_keys


def converter(settings: Settings) -> DataConverter:
    """The pydantic converter, encrypting payloads with PAYLOAD_KEYS when it is set."""
    return data_converter(parse_keys(settings.payload_keys))


class Unreachable(RuntimeError):
    """No Temporal server answers at TEMPORAL_ADDRESS."""


async def connect(settings: Settings, *, runtime: Runtime | None = None) -> Client:
    """A client with the pydantic converter, encrypting payloads when PAYLOAD_KEYS is set."""
    try:
        return await Client.connect(
            settings.temporal_address,
            namespace=settings.temporal_namespace,
            data_converter=converter(settings),
            runtime=runtime,
        )
    except RuntimeError as e:
        # The SDK's message ends in the transport's debug form; the OS's message is enough.
        found = re.search(r'message: "([^"]+)"', str(e))
        raise Unreachable(
            f"cannot connect to Temporal at {settings.temporal_address} (TEMPORAL_ADDRESS): "
            + (found.group(1) if found else str(e))
        ) from e


async def connect_worker(settings: Settings) -> Client:
    """A worker's client: it also serves the SDK's metrics when WORKER_METRICS_ADDRESS is set."""
    address = settings.worker_metrics_address
    return await connect(settings, runtime=metrics_runtime(address) if address else None)


def metrics_runtime(bind_address: str) -> Runtime:
    """A Temporal runtime that serves the SDK's worker metrics for Prometheus at `bind_address`."""
    return Runtime(telemetry=TelemetryConfig(metrics=PrometheusConfig(bind_address=bind_address)))
