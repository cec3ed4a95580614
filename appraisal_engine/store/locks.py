"""Transaction-scoped write locks, so read-then-write sequences cannot interleave."""

from __future__ import annotations

import hashlib

from sqlalchemy import Table, false, text, update
from sqlalchemy.ext.asyncio import AsyncSession


def lock_key(name: str) -> int:
    """A stable signed 64-bit key for a lock name (PostgreSQL advisory locks take a bigint)."""
    digest = hashlib.sha256(name.encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


async def hold_write_lock(session: AsyncSession, name: str, table: Table) -> None:
    """Block until this transaction is the only one holding `name`; released at commit/rollback."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        await session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": lock_key(name)})
    elif dialect == "sqlite":
        # SQLite has one writer per database: a write that touches no row still takes the
        # write lock (waiting out the busy timeout), so later reads see the latest commit.
        # Done before any read of the transaction, it also avoids stale-snapshot upgrades.
        column = next(iter(table.primary_key.columns))
        await session.execute(update(table).where(false()).values({column.name: column}))
