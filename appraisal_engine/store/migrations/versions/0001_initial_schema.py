"""Initial schema: rosters, employees, tasks, appraisals, outcomes, audit_events.

Revision ID: 0001
Revises:
Create Date: 2026-11-22 15:41:21
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create every table and index of the read model."""
    op.create_table(
        "rosters",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("org", sa.String(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("employee_count", sa.Integer(), nullable=False),
        sa.Column("checksum", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rosters")),
    )
    op.create_table(
        "employees",
        sa.Column("roster_id", sa.String(), nullable=False),
        sa.Column("nip", sa.String(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("unit_code", sa.String(), nullable=False),
        sa.Column("unit_name", sa.String(), nullable=False),
        sa.Column("position", sa.String(), nullable=False),
        sa.Column("position_level", sa.String(), nullable=False),
        sa.Column("supervisor_nip", sa.String(), nullable=True),
        sa.Column("acting", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["roster_id"], ["rosters.id"], name=op.f("fk_employees_roster_id_rosters")
        ),
        sa.PrimaryKeyConstraint("roster_id", "nip", name=op.f("pk_employees")),
    )
    op.create_index(
        op.f("ix_employees_roster_id_unit_code"), "employees", ["roster_id", "unit_code"]
    )
    op.create_table(
        "tasks",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("appraisal_id", sa.String(), nullable=False),
        sa.Column("cycle_id", sa.String(), nullable=True),
        sa.Column("employee_nip", sa.String(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("assignee_nip", sa.String(), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("completed_by", sa.String(), nullable=True),
        sa.Column("escalated", sa.Boolean(), nullable=False),
        sa.Column("period", sa.Integer(), nullable=True),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tasks")),
    )
    op.create_index(op.f("ix_tasks_assignee_nip_status"), "tasks", ["assignee_nip", "status"])
    op.create_index(op.f("ix_tasks_appraisal_id"), "tasks", ["appraisal_id"])
    op.create_table(
        "appraisals",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("cycle_id", sa.String(), nullable=True),
        sa.Column("employee_nip", sa.String(), nullable=False),
        sa.Column("unit_code", sa.String(), nullable=False),
        sa.Column("supervisor_nip", sa.String(), nullable=True),
        sa.Column("superior_nip", sa.String(), nullable=True),
        sa.Column("policy", sa.String(), nullable=False),
        sa.Column("stage", sa.String(), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("grade_computed", sa.String(), nullable=True),
        sa.Column("grade_final", sa.String(), nullable=True),
        sa.Column("flags", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_appraisals")),
    )
    op.create_index(
        op.f("ix_appraisals_cycle_id_unit_code"), "appraisals", ["cycle_id", "unit_code"]
    )
    op.create_index(op.f("ix_appraisals_supervisor_nip"), "appraisals", ["supervisor_nip"])
    op.create_index(op.f("ix_appraisals_employee_nip"), "appraisals", ["employee_nip"])
    op.create_table(
        "outcomes",
        sa.Column("appraisal_id", sa.String(), nullable=False),
        sa.Column("cycle_id", sa.String(), nullable=True),
        sa.Column("employee_nip", sa.String(), nullable=False),
        sa.Column("unit_code", sa.String(), nullable=False),
        sa.Column("grade", sa.String(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("awards", sa.JSON(), nullable=False),
        sa.Column("talent_pool", sa.Boolean(), nullable=False),
        sa.Column("credit_points_percent", sa.Integer(), nullable=False),
        sa.Column("improvement_months", sa.Integer(), nullable=True),
        sa.Column("mentor_nip", sa.String(), nullable=True),
        sa.Column("mentor_status", sa.String(), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("appraisal_id", name=op.f("pk_outcomes")),
    )
    op.create_index(
        op.f("ix_outcomes_mentor_nip_mentor_status"), "outcomes", ["mentor_nip", "mentor_status"]
    )
    op.create_table(
        "audit_events",
        sa.Column("seq", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("event_id", sa.String(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_nip", sa.String(), nullable=True),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("appraisal_id", sa.String(), nullable=True),
        sa.Column("cycle_id", sa.String(), nullable=True),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_audit_events")),
        sa.UniqueConstraint("event_id", name=op.f("uq_audit_events_event_id")),
    )
    for column in ("actor_nip", "appraisal_id", "cycle_id", "kind", "at"):
        op.create_index(op.f(f"ix_audit_events_{column}"), "audit_events", [column])


def downgrade() -> None:
    """Drop everything the upgrade created (indexes go with their tables)."""
    for table in ("audit_events", "outcomes", "appraisals", "tasks", "employees", "rosters"):
        op.drop_table(table)
