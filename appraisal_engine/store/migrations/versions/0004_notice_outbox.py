"""The notice outbox: one row per notice to one person, written with the step that causes it
and drained by the sender.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03 10:40:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create the table and the index the sender claims by."""
    op.create_table(
        "notices",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("recipient_nip", sa.String(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("task_id", sa.String(), nullable=False),
        sa.Column("task_kind", sa.String(), nullable=False),
        sa.Column("appraisal_id", sa.String(), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_error", sa.String(), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notices")),
    )
    op.create_index(
        op.f("ix_notices_status_next_attempt_at"), "notices", ["status", "next_attempt_at"]
    )
    op.create_index(op.f("ix_notices_recipient_nip"), "notices", ["recipient_nip"])


def downgrade() -> None:
    """Drop it."""
    op.drop_index(op.f("ix_notices_recipient_nip"), table_name="notices")
    op.drop_index(op.f("ix_notices_status_next_attempt_at"), table_name="notices")
    op.drop_table("notices")
