"""Indexes for the pages' lookups: appraisals by the appraiser's superior (my team) and
employees by NIP across roster snapshots (names on the pages).

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-03 10:05:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add the two indexes."""
    op.create_index(op.f("ix_appraisals_superior_nip"), "appraisals", ["superior_nip"])
    op.create_index(op.f("ix_employees_nip"), "employees", ["nip"])


def downgrade() -> None:
    """Drop them."""
    op.drop_index(op.f("ix_employees_nip"), table_name="employees")
    op.drop_index(op.f("ix_appraisals_superior_nip"), table_name="appraisals")
