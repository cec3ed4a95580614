"""Operator commands for a Temporal server the project did not start itself."""

from __future__ import annotations

import asyncio
from typing import Annotated

import typer

from appraisal_engine.appraisal.i18n import _
from appraisal_engine.appraisal.settings import Settings, get_settings

Attempts = Annotated[
    int, typer.Option(min=1, help="Tries, two seconds apart, while the server starts")
]


def register_search_attributes(attempts: Attempts = 60) -> None:
    """Register the appraisal search attributes on TEMPORAL_ADDRESS; safe to run again."""
    names = asyncio.run(_register_when_ready(get_settings(), attempts))
    typer.echo(_("search attributes registered: %(names)s", names=", ".join(names)))


async def _register_when_ready(settings: Settings, attempts: int) -> list[str]:
    from appraisal_engine.client.codec import PayloadKeyError  # loads Temporal's client

    # A fresh server reports healthy before its namespace exists, so the first tries may fail.
    for attempt in range(1, attempts):
        try:
            return await _register(settings)
        except PayloadKeyError:
            raise  # a configuration mistake: waiting will not fix it
        except Exception as e:
            said = _(
                "not ready yet (%(attempt)s/%(attempts)s): %(error)s",
                attempt=attempt,
                attempts=attempts,
                error=e,
            )
            typer.echo(said, err=True)
            await asyncio.sleep(2)
    return await _register(settings)


async def _register(settings: Settings) -> list[str]:
    from temporalio.api.operatorservice.v1 import ListSearchAttributesRequest

    from appraisal_engine.appraisal.servers import register_search_attributes as register
    from appraisal_engine.client.connect import connect
    from appraisal_engine.workflows.search_attributes import ALL_KEYS

    client = await connect(settings)
    await register(client, settings.temporal_namespace)
    listed = await client.operator_service.list_search_attributes(
        ListSearchAttributesRequest(namespace=settings.temporal_namespace)
    )
    missing = [k.name for k in ALL_KEYS if k.name not in listed.custom_attributes]
    if missing:
        raise RuntimeError(_("not visible yet: %(names)s", names=", ".join(missing)))
    return [k.name for k in ALL_KEYS]
