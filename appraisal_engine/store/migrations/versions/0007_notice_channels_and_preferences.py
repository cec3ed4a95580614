"""Notices per channel and each person's notice preferences: the outbox's rows name their
channel (e-mail, or the chat gateway's webhook), and a person may ask for a daily digest and
quiet hours.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03 13:40:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """The channel column (rows written before are e-mails) and the preferences table."""
    with op.batch_alter_table("notices") as batch:
        batch.add_column(sa.Column("channel", sa.String(), nullable=False, server_default="email"))
    op.create_table(
        "notice_preferences",
        sa.Column("nip", sa.String(), nullable=False),
        sa.Column("digest", sa.Boolean(), nullable=False),
        sa.Column("quiet_start", sa.Time(), nullable=True),
        sa.Column("quiet_end", sa.Time(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("nip", name=op.f("pk_notice_preferences")),
    )


def downgrade() -> None:
    """Drop them."""
    op.drop_table("notice_preferences")
    with op.batch_alter_table("notices") as batch:
        batch.drop_column("channel")
