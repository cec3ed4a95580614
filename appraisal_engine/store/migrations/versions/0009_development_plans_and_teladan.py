"""What follows the grade: development plans (their items and follow-ups) and ASN teladan
nominations.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03 16:20:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add the two tables, empty."""
    op.create_table(
        "development_plans",
        sa.Column("appraisal_id", sa.String(), nullable=False),
        sa.Column("cycle_id", sa.String(), nullable=True),
        sa.Column("employee_nip", sa.String(), nullable=False),
        sa.Column("outcome_kind", sa.String(), nullable=False),
        sa.Column("planned_by", sa.String(), nullable=False),
        sa.Column("planned_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("follow_up_on", sa.Date(), nullable=True),
        sa.Column("time_zone", sa.String(), nullable=False),
        sa.Column("items", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("appraisal_id", name=op.f("pk_development_plans")),
    )
    op.create_index(op.f("ix_development_plans_cycle_id"), "development_plans", ["cycle_id"])
    op.create_table(
        "teladan_nominations",
        sa.Column("cycle_id", sa.String(), nullable=False),
        sa.Column("employee_nip", sa.String(), nullable=False),
        sa.Column("appraisal_id", sa.String(), nullable=False),
        sa.Column("unit_code", sa.String(), nullable=False),
        sa.Column("nominated_by", sa.String(), nullable=False),
        sa.Column("nominated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("cycle_id", "employee_nip", name=op.f("pk_teladan_nominations")),
    )


def downgrade() -> None:
    """Back to 0008: drop both tables."""
    op.drop_table("teladan_nominations")
    op.drop_index(op.f("ix_development_plans_cycle_id"), table_name="development_plans")
    op.drop_table("development_plans")
