"""Alembic environment: async engine from store.db, metadata from store.models."""

from __future__ import annotations

import asyncio
import os
from logging.config import fileConfig
from typing import Any, Literal

from alembic import context
from alembic.autogenerate.api import AutogenContext
from sqlalchemy.engine import Connection

from appraisal_engine.store.db import default_database_url, make_engine
from appraisal_engine.store.models import Base, UTCDateTime

config = context.config
target_metadata = Base.metadata

# Programmatic callers (store.migrate) keep their own logging setup.
if config.config_file_name is not None and not config.attributes.get("skip_logging_config"):
    fileConfig(config.config_file_name, disable_existing_loggers=False)


def database_url() -> str:
    """The URL from the caller, then `-x url=`, then DATABASE_URL, then the default file."""
    return (
        config.attributes.get("url")
        or context.get_x_argument(as_dictionary=True).get("url")
        or os.environ.get("DATABASE_URL")
        or config.get_main_option("sqlalchemy.url")
        or default_database_url()
    )


def render_item(kind: str, obj: Any, autogen_context: AutogenContext) -> str | Literal[False]:
    """Render store column types as the plain SQLAlchemy types they store as."""
    if kind == "type" and isinstance(obj, UTCDateTime):
        # Migrations must not import application code that may change later.
        return "sa.DateTime(timezone=True)"
    return False


def run_on(connection: Connection) -> None:
    """Run the migrations on an open connection."""
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        # SQLite cannot ALTER most things in place: batch mode rebuilds the table instead.
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        render_item=render_item,
    )
    with context.begin_transaction():
        context.run_migrations()


async def run_async() -> None:
    """Open an engine for the URL and migrate through it."""
    engine = make_engine(database_url())
    try:
        async with engine.connect() as connection:
            await connection.run_sync(run_on)
            await connection.commit()
    finally:
        await engine.dispose()


def run_offline() -> None:
    """Emit SQL for the URL's dialect instead of running it."""
    context.configure(
        url=database_url(),
        target_metadata=target_metadata,
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
    )
    with context.begin_transaction():
        context.run_migrations()


shared = config.attributes.get("connection")
if context.is_offline_mode():
    run_offline()
elif shared is not None:
    # store.migrate.upgrade passes a connection from inside its own event loop.
    run_on(shared)
else:
    asyncio.run(run_async())
