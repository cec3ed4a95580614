"""Notices read in the web app: when the recipient opened each one; an index of the unread ones
per person for the bell's count on every page, and the person's notices by time for their
list (it replaces the index by recipient alone, which it begins with).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03 13:20:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UNREAD = sa.text("read_at IS NULL")


def upgrade() -> None:
    """Add the column (every notice so far unread) and the indexes."""
    op.add_column("notices", sa.Column("read_at", sa.DateTime(timezone=True), nullable=True))
    op.create_index(
        op.f("ix_notices_unread_recipient_nip"),
        "notices",
        ["recipient_nip", "read_at"],
        sqlite_where=UNREAD,
        postgresql_where=UNREAD,
    )
    op.create_index(
        op.f("ix_notices_recipient_nip_created_at"),
        "notices",
        ["recipient_nip", "created_at", "id"],
    )
    op.drop_index(op.f("ix_notices_recipient_nip"), table_name="notices")


def downgrade() -> None:
    """Back to 0007's table."""
    op.create_index(op.f("ix_notices_recipient_nip"), "notices", ["recipient_nip"])
    op.drop_index(op.f("ix_notices_recipient_nip_created_at"), table_name="notices")
    op.drop_index(op.f("ix_notices_unread_recipient_nip"), table_name="notices")
    with op.batch_alter_table("notices") as batch:
        batch.drop_column("read_at")
