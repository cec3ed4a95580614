"""One way to reach Temporal from the command line, the API process and the worker."""

from __future__ import annotations

import re
from typing import Protocol

from temporalio.client import Client
from temporalio.converter import DataConverter
from temporalio.runtime import PrometheusConfig, Runtime, TelemetryConfig

from appraisal_engine.client.codec import data_converter, parse_keys


class TemporalSettings(Protocol):
    """What reaching Temporal needs of the process's settings."""

    @property
    def temporal_address(self) -> str: ...
    @property
    def temporal_namespace(self) -> str: ...
    @property
    def payload_keys(self) -> str: ...
    @property
    def worker_metrics_address(self) -> str: ...


def converter(settings: TemporalSettings) -> DataConverter:
    """The pydantic converter, encrypting payloads with PAYLOAD_KEYS when it is set."""
    return data_converter(parse_keys(settings.payload_keys))


class Unreachable(RuntimeError):
    """No Temporal server answers at TEMPORAL_ADDRESS."""


async def connect(settings: TemporalSettings, *, runtime: Runtime | None = None) -> Client:
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


async def connect_worker(settings: TemporalSettings) -> Client:
    """A worker's client: it also serves the SDK's metrics when WORKER_METRICS_ADDRESS is set."""
    address = settings.worker_metrics_address
    return await connect(settings, runtime=metrics_runtime(address) if address else None)


def metrics_runtime(bind_address: str) -> Runtime:
    """A Temporal runtime that serves the SDK's worker metrics for Prometheus at `bind_address`."""
    return Runtime(telemetry=TelemetryConfig(metrics=PrometheusConfig(bind_address=bind_address)))
