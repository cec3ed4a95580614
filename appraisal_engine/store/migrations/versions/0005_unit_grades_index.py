"""A covering index for each unit's grades in a cycle: the dashboard counts them from the index
alone. It replaces the index on (cycle_id, unit_code), which is its prefix.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03 13:20:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_COLUMNS = ["cycle_id", "unit_code", "grade_final", "grade_computed", "status"]


def upgrade() -> None:
    """Add the covering index, then drop its prefix."""
    op.create_index("ix_appraisals_cycle_unit_grades", "appraisals", _COLUMNS)
    op.drop_index("ix_appraisals_cycle_id_unit_code", table_name="appraisals")


def downgrade() -> None:
    """Put the prefix back, then drop the covering index."""
    op.create_index("ix_appraisals_cycle_id_unit_code", "appraisals", ["cycle_id", "unit_code"])
    op.drop_index("ix_appraisals_cycle_unit_grades", table_name="appraisals")
