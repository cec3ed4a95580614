"""Decision notices: a notice may be of a decision on an appraisal rather than about a task, so
its task fields may be empty, and it names the decision.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03 13:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Let the task fields be empty; add the decision column (empty for the notices before)."""
    with op.batch_alter_table("notices") as batch:
        batch.alter_column("task_id", existing_type=sa.String(), nullable=True)
        batch.alter_column("task_kind", existing_type=sa.String(), nullable=True)
        batch.alter_column("due_at", existing_type=sa.DateTime(timezone=True), nullable=True)
        batch.add_column(sa.Column("decision", sa.String(), nullable=True))


def downgrade() -> None:
    """Drop the decision notices, which have no task, then the column, and require the task."""
    op.execute("DELETE FROM notices WHERE task_id IS NULL")
    with op.batch_alter_table("notices") as batch:
        batch.drop_column("decision")
        batch.alter_column("due_at", existing_type=sa.DateTime(timezone=True), nullable=False)
        batch.alter_column("task_kind", existing_type=sa.String(), nullable=False)
        batch.alter_column("task_id", existing_type=sa.String(), nullable=False)
