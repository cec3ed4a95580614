"""Apply the Alembic migrations to head from code, wherever the package is installed."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Connection

from appraisal_engine.store.db import make_engine

_HERE = Path(__file__).resolve().parent


def alembic_config(url: str | None = None) -> Config:
    """Alembic config located from this package, not from the working directory."""
    config = Config(str(_HERE / "alembic.ini"))
    config.set_main_option("script_location", str(_HERE / "migrations"))
    config.attributes["skip_logging_config"] = True
    if url is not None:
        config.attributes["url"] = url
    return config


async def upgrade(url: str, revision: str = "head") -> None:
    """Migrate the database at `url` to `revision` from inside a running event loop."""
    engine = make_engine(url)
    try:
        async with engine.begin() as connection:
            await connection.run_sync(_upgrade_on, revision)
    finally:
        await engine.dispose()


def upgrade_sync(url: str, revision: str = "head") -> None:
    """Migrate the database at `url` to `revision`; call it where no event loop is running."""
    command.upgrade(alembic_config(url), revision)


def _upgrade_on(connection: Connection, revision: str) -> None:
    # env.py runs on this connection instead of starting a second event loop.
    config = alembic_config()
    config.attributes["connection"] = connection
    command.upgrade(config, revision)
