"""Approved plans, one row per appraisal, for the unit's role-result matrix (matriks peran
hasil): whose plan, under which supervisor, and its targets with their parents and
contributions.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03 16:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add the table, read by cycle and unit."""
    op.create_table(
        "plans",
        sa.Column("appraisal_id", sa.String(), nullable=False),
        sa.Column("cycle_id", sa.String(), nullable=True),
        sa.Column("unit_code", sa.String(), nullable=False),
        sa.Column("employee_nip", sa.String(), nullable=False),
        sa.Column("supervisor_nip", sa.String(), nullable=False),
        sa.Column("approved_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("targets", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("appraisal_id", name=op.f("pk_plans")),
    )
    op.create_index(op.f("ix_plans_cycle_id_unit_code"), "plans", ["cycle_id", "unit_code"])


def downgrade() -> None:
    """Back to 0008."""
    op.drop_index(op.f("ix_plans_cycle_id_unit_code"), table_name="plans")
    op.drop_table("plans")
