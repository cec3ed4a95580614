"""Migrations: the initial revision builds exactly the models' schema, from any directory; the
single global audit chain becomes the legacy chain beside the organisations' chains (0011)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Column, Integer, MetaData, func, select, text, update
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from appraisal_engine.store.audit_chains import LEGACY_CHAIN
from appraisal_engine.store.audit_hash import GENESIS_HASH, legacy_hash
from appraisal_engine.store.db import make_engine, make_session_factory
from appraisal_engine.store.migrate import alembic_config, upgrade, upgrade_sync
from appraisal_engine.store.models import AuditEventRow, Base
from appraisal_engine.store.repositories.audit import append_event, chain_heads
from appraisal_engine.store.repositories.audit_verify import Anchor, verify_chain
from tests.conftest import _admin
from tests.store.builders import event, nip

HEAD = "0011"  # the newest revision: every database upgrades to it


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


@pytest.fixture
async def fresh_url(database_url: str, tmp_path: Path) -> AsyncIterator[str]:
    """An empty database of its own: a SQLite file, or one beside the test database's."""
    if not database_url.startswith("postgresql"):
        yield f"sqlite+aiosqlite:///{tmp_path / 'fresh.db'}"
        return
    server = make_url(database_url)
    name = f"{(server.database or 'test')[:40]}_migration"
    drop = f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'
    await _admin(server, drop, f'CREATE DATABASE "{name}"')
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        await _admin(server, drop)


_OLD_ROW = text(
    "INSERT INTO audit_events (seq, event_id, at, actor_nip, kind, appraisal_id, cycle_id,"
    " payload, prev_hash, hash) VALUES (:seq, :event_id, :at, :actor_nip, :kind, :appraisal_id,"
    " :cycle_id, :payload, :prev_hash, :hash)"
)


async def _old_chain(url: str, n: int) -> list[str]:
    """n rows written as the single global chain was before 0011 (two organisations' events in
    one chain); their hashes."""
    engine = make_engine(url)
    hashes, prev = [], GENESIS_HASH
    try:
        async with engine.begin() as connection:
            for seq in range(1, n + 1):
                org = ("kota-binjai", "kota-medan")[seq % 2]
                content: dict[str, Any] = {
                    "event_id": f"old-{seq}",
                    "at": datetime(2025, 3, 1, 9, seq, tzinfo=UTC),
                    "actor_nip": nip(seq),
                    "kind": "grade.released",
                    "appraisal_id": None,
                    "cycle_id": f"{org}-2025",
                    "payload": {"n": seq},
                }
                digest = legacy_hash(seq=seq, **content, prev_hash=prev)
                at = content["at"]
                if engine.dialect.name == "sqlite":  # as the column type stores it there
                    at = at.replace(tzinfo=None).isoformat(sep=" ")
                values = content | {"seq": seq, "at": at, "payload": f'{{"n": {seq}}}'}
                await connection.execute(_OLD_ROW, values | {"prev_hash": prev, "hash": digest})
                hashes.append(digest)
                prev = digest
    finally:
        await engine.dispose()
    return hashes


async def test_the_global_chain_becomes_the_legacy_chain_and_its_anchors_still_hold(
    fresh_url: str,
) -> None:
    await upgrade(fresh_url, "0010")
    hashes = await _old_chain(fresh_url, 5)
    old_anchor = Anchor.parse(f"5:{hashes[-1]}")  # recorded before the upgrade
    await upgrade(fresh_url)
    engine = make_engine(fresh_url)
    try:
        async with engine.connect() as connection:
            assert await connection.run_sync(_diff, Base.metadata) == []
        sessions = make_session_factory(engine)
        async with sessions() as session, session.begin():
            rows = (await session.scalars(select(AuditEventRow).order_by(AuditEventRow.seq))).all()
            # Every row kept as it was, its old seq its place in the legacy chain.
            assert [(r.seq, r.chain, r.chain_seq, r.hash) for r in rows] == [
                (i, LEGACY_CHAIN, i, h) for i, h in enumerate(hashes, start=1)
            ]
            verified = await verify_chain(session, anchors=[old_anchor])
            assert (verified.ok, verified.checked, verified.anchors_checked) == (True, 5, 1)
            # New events start their organisation's chain; seq goes on after the old rows.
            seqs = [
                await append_event(session, event(cycle_id=f"{org}-2026"))
                for org in ("kota-binjai", "kota-medan", "kota-binjai")
            ]
            assert seqs == [6, 7, 8]
            heads = await chain_heads(session)
            assert [(h.chain, h.seq) for h in heads] == [
                (LEGACY_CHAIN, 5),
                ("kota-binjai", 2),
                ("kota-medan", 1),
            ]
            assert Anchor.parse(heads[0].anchor) == old_anchor  # the legacy chain grew no more
            anchors = [Anchor.parse(h.anchor) for h in heads]
            result = await verify_chain(session, anchors=anchors)
            assert (result.ok, result.checked, result.anchors_checked) == (True, 8, 3)
    finally:
        await engine.dispose()


async def test_a_legacy_row_altered_before_the_upgrade_is_still_reported(fresh_url: str) -> None:
    await upgrade(fresh_url, "0010")
    await _old_chain(fresh_url, 4)
    engine = make_engine(fresh_url)
    try:
        async with engine.begin() as connection:
            forged = update(AuditEventRow).where(AuditEventRow.seq == 2).values(kind="forged")
            await connection.execute(forged)
    finally:
        await engine.dispose()
    await upgrade(fresh_url)
    engine = make_engine(fresh_url)
    try:
        async with make_session_factory(engine)() as session:
            result = await verify_chain(session)
        assert (result.ok, result.first_broken_chain, result.first_broken_seq) == (
            False,
            LEGACY_CHAIN,
            2,
        )
    finally:
        await engine.dispose()


def _downgrade_on(connection: Connection, revision: str) -> None:
    config = alembic_config()
    config.attributes["connection"] = connection
    command.downgrade(config, revision)


async def test_a_downgrade_keeps_the_legacy_chain_and_refuses_organisations_chains(
    fresh_url: str,
) -> None:
    await upgrade(fresh_url, "0010")
    await _old_chain(fresh_url, 2)
    await upgrade(fresh_url)
    engine = make_engine(fresh_url)
    try:
        async with engine.begin() as connection:
            await connection.run_sync(_downgrade_on, "0010")
            assert await connection.run_sync(_revision) == "0010"
        await upgrade(fresh_url)
        async with make_session_factory(engine)() as session, session.begin():
            await append_event(session, event(cycle_id="kota-binjai-2026"))
        with pytest.raises(RuntimeError, match="1 audit rows belong to an organisation's chain"):
            async with engine.begin() as connection:
                await connection.run_sync(_downgrade_on, "0010")
        async with engine.connect() as connection:
            assert await connection.run_sync(_revision) == HEAD
            count = await connection.scalar(select(func.count()).select_from(AuditEventRow))
            assert count == 3
    finally:
        await engine.dispose()
