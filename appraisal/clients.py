"""One way to reach Temporal and the database from the command line and the worker."""

from __future__ import annotations

from temporalio.client import Client

from appraisal.settings import Settings
from workflows.codec import data_converter, parse_keys


async def connect(settings: Settings) -> Client:
    """A client with the pydantic converter, encrypting payloads when PAYLOAD_KEYS is set."""
    return await Client.connect(
        settings.temporal_address,
        namespace=settings.temporal_namespace,
        data_converter=data_converter(parse_keys(settings.payload_keys)),
    )
