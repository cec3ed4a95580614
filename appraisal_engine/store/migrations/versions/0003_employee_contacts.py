"""Contacts on roster snapshots: an optional e-mail address and mobile number per employee,
read by the notice sender.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-03 10:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add the two nullable columns; snapshots stored before have no contacts."""
    with op.batch_alter_table("employees") as batch:
        batch.add_column(sa.Column("email", sa.String(), nullable=True))
        batch.add_column(sa.Column("phone", sa.String(), nullable=True))


def downgrade() -> None:
    """Drop them."""
    with op.batch_alter_table("employees") as batch:
        batch.drop_column("phone")
        batch.drop_column("email")
