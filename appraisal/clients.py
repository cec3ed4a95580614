"""One way to reach Temporal and the database from the command line and the worker."""

from __future__ import annotations

from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter

from appraisal.settings import Settings


async def connect(settings: Settings) -> Client:
    """A client with the pydantic data converter, on the configured namespace."""
    return await Client.connect(
        settings.temporal_address,
        namespace=settings.temporal_namespace,
        data_converter=pydantic_data_converter,
    )
