"""Migrations: the initial revision builds exactly the models' schema, from any directory."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Column, Integer, MetaData
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from appraisal_engine.store.db import make_engine
from appraisal_engine.store.migrate import alembic_config, upgrade, upgrade_sync
from appraisal_engine.store.models import Base

HEAD = "0010"  # the newest revision: every database upgrades to it


def _diff(connection: Connection, metadata: MetaData) -> list[Any]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return list(compare_metadata(context, metadata))


def _revision(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


async def test_migrated_schema_matches_the_models(engine: AsyncEngine) -> None:
    async with engine.connect() as connection:
        assert await connection.run_sync(_diff, Base.metadata) == []


async def test_the_comparison_would_notice_drift(engine: AsyncEngine) -> None:
    drifted = MetaData(naming_convention=Base.metadata.naming_convention)
    for table in Base.metadata.tables.values():
        table.to_metadata(drifted)
    drifted.tables["tasks"].append_column(Column("priority", Integer, nullable=True))
    async with engine.connect() as connection:
        diff = await connection.run_sync(_diff, drifted)
    assert [(op[0], op[3].name) for op in diff] == [("add_column", "priority")]


async def test_database_is_at_the_single_head(engine: AsyncEngine) -> None:
    heads = ScriptDirectory.from_config(alembic_config()).get_heads()
    assert heads == [HEAD]
    async with engine.connect() as connection:
        assert await connection.run_sync(_revision) == HEAD


async def test_upgrading_again_changes_nothing(migrated_url: str, engine: AsyncEngine) -> None:
    await upgrade(migrated_url)
    async with engine.connect() as connection:
        assert await connection.run_sync(_revision) == HEAD
        assert await connection.run_sync(_diff, Base.metadata) == []


async def test_upgrade_sync_works_from_another_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    url = f"sqlite+aiosqlite:///{tmp_path / 'fresh' / 'sync.db'}"
    # upgrade_sync runs its own event loop, so it needs a thread without one.
    await asyncio.to_thread(upgrade_sync, url)
    engine = make_engine(url)
    try:
        async with engine.connect() as connection:
            assert await connection.run_sync(_revision) == HEAD
            assert await connection.run_sync(_diff, Base.metadata) == []
    finally:
        await engine.dispose()
    assert not (elsewhere / "var").exists()
