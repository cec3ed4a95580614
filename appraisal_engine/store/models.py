"""SQLAlchemy models of the read model: rosters, employees, tasks, appraisals, outcomes, audit,
the notice outbox and each person's notice preferences; and the records people keep after the
outcome: development plans and ASN teladan nominations."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Date,
    DateTime,
    ForeignKey,
    Identity,
    Index,
    Integer,
    MetaData,
    String,
    UniqueConstraint,
    text,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware timestamp, stored as UTC and always read back as aware UTC."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            # A naive time is ambiguous (server-local? WIB? UTC?): refuse it rather than guess.
            raise ValueError(f"naive datetime {value!r}: pass a timezone-aware value")
        value = value.astimezone(UTC)
        # SQLite keeps text and ignores offsets: store naive UTC so text order is time order.
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


NAMING_CONVENTION = {
    "ix": "ix_%(column_0_N_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base with named constraints, so migrations can address them."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {
        str: String(),
        datetime: UTCDateTime(),
        dict[str, Any]: JSON(),
        list[str]: JSON(),
        list[dict[str, Any]]: JSON(),
        date: Date(),
    }


class RosterRow(Base):
    """One uploaded roster snapshot."""

    __tablename__ = "rosters"

    id: Mapped[str] = mapped_column(primary_key=True)
    org: Mapped[str]
    created_at: Mapped[datetime]
    employee_count: Mapped[int]
    checksum: Mapped[str]


class EmployeeRow(Base):
    """One employee inside a roster snapshot."""

    __tablename__ = "employees"
    __table_args__ = (
        Index("ix_employees_roster_id_unit_code", "roster_id", "unit_code"),
        Index("ix_employees_nip", "nip"),
    )

    roster_id: Mapped[str] = mapped_column(ForeignKey("rosters.id"), primary_key=True)
    nip: Mapped[str] = mapped_column(primary_key=True)
    name: Mapped[str]
    unit_code: Mapped[str]
    unit_name: Mapped[str]
    position: Mapped[str]
    position_level: Mapped[str]
    supervisor_nip: Mapped[str | None]
    acting: Mapped[bool]
    email: Mapped[str | None]
    phone: Mapped[str | None]


class TaskRow(Base):
    """One row of the task inbox."""

    __tablename__ = "tasks"
    __table_args__ = (
        Index("ix_tasks_assignee_nip_status", "assignee_nip", "status"),
        Index("ix_tasks_appraisal_id", "appraisal_id"),
    )

    id: Mapped[str] = mapped_column(primary_key=True)
    appraisal_id: Mapped[str]
    cycle_id: Mapped[str | None]
    employee_nip: Mapped[str]
    kind: Mapped[str]
    assignee_nip: Mapped[str]
    status: Mapped[str]
    opened_at: Mapped[datetime]
    due_at: Mapped[datetime]
    closed_at: Mapped[datetime | None]
    completed_by: Mapped[str | None]
    escalated: Mapped[bool]
    period: Mapped[int | None]
    detail: Mapped[dict[str, Any]]


class AppraisalRow(Base):
    """The read model's row for one appraisal."""

    __tablename__ = "appraisals"
    __table_args__ = (
        # Covers the dashboard's count of each unit's grades: read from the index alone.
        Index(
            "ix_appraisals_cycle_unit_grades",
            "cycle_id",
            "unit_code",
            "grade_final",
            "grade_computed",
            "status",
        ),
        Index("ix_appraisals_supervisor_nip", "supervisor_nip"),
        Index("ix_appraisals_superior_nip", "superior_nip"),
        Index("ix_appraisals_employee_nip", "employee_nip"),
    )

    id: Mapped[str] = mapped_column(primary_key=True)
    cycle_id: Mapped[str | None]
    employee_nip: Mapped[str]
    unit_code: Mapped[str]
    supervisor_nip: Mapped[str | None]
    superior_nip: Mapped[str | None]
    policy: Mapped[str]
    stage: Mapped[str]
    status: Mapped[str]
    grade_computed: Mapped[str | None]
    grade_final: Mapped[str | None]
    flags: Mapped[list[str]]
    updated_at: Mapped[datetime]


class PlanRow(Base):
    """One appraisal's approved plan, for the unit's role-result matrix."""

    __tablename__ = "plans"
    __table_args__ = (Index("ix_plans_cycle_id_unit_code", "cycle_id", "unit_code"),)

    appraisal_id: Mapped[str] = mapped_column(primary_key=True)
    cycle_id: Mapped[str | None]
    unit_code: Mapped[str]
    employee_nip: Mapped[str]
    supervisor_nip: Mapped[str]
    approved_at: Mapped[datetime]
    targets: Mapped[list[dict[str, Any]]] = mapped_column(JSON())


class OutcomeRow(Base):
    """The follow-up recorded for one appraisal, including any mentorship."""

    __tablename__ = "outcomes"
    __table_args__ = (Index("ix_outcomes_mentor_nip_mentor_status", "mentor_nip", "mentor_status"),)

    appraisal_id: Mapped[str] = mapped_column(primary_key=True)
    cycle_id: Mapped[str | None]
    employee_nip: Mapped[str]
    unit_code: Mapped[str]
    grade: Mapped[str]
    kind: Mapped[str]
    awards: Mapped[list[str]]
    talent_pool: Mapped[bool]
    credit_points_percent: Mapped[int]
    improvement_months: Mapped[int | None]
    mentor_nip: Mapped[str | None]
    mentor_status: Mapped[str]
    decided_at: Mapped[datetime]


class DevelopmentPlanRow(Base):
    """One appraisal's development plan (domain.development.DevelopmentPlan): its items and each
    item's follow-up as JSON, as the plan is read and written whole."""

    __tablename__ = "development_plans"
    __table_args__ = (Index("ix_development_plans_cycle_id", "cycle_id"),)

    appraisal_id: Mapped[str] = mapped_column(primary_key=True)
    cycle_id: Mapped[str | None]
    employee_nip: Mapped[str]
    outcome_kind: Mapped[str]
    planned_by: Mapped[str]
    planned_at: Mapped[datetime]
    follow_up_on: Mapped[date | None]
    time_zone: Mapped[str]  # the organisation's: whose calendar says an item is overdue
    items: Mapped[list[dict[str, Any]]]
    updated_at: Mapped[datetime]


class TeladanNominationRow(Base):
    """One ASN teladan nomination (domain.records.TeladanNomination)."""

    __tablename__ = "teladan_nominations"

    cycle_id: Mapped[str] = mapped_column(primary_key=True)
    employee_nip: Mapped[str] = mapped_column(primary_key=True)
    appraisal_id: Mapped[str]
    unit_code: Mapped[str]
    nominated_by: Mapped[str]
    nominated_at: Mapped[datetime]
    reason: Mapped[str]


class NoticeRow(Base):
    """One notice to one person in the outbox (domain.notices.Notice)."""

    __tablename__ = "notices"
    __table_args__ = (
        Index("ix_notices_status_next_attempt_at", "status", "next_attempt_at"),
        # A person's notices newest first, a page at a time, without sorting them all.
        Index("ix_notices_recipient_nip_created_at", "recipient_nip", "created_at", "id"),
        # The bell's count runs on every page: the unread rows only, by person, counted from
        # the index alone.
        Index(
            "ix_notices_unread_recipient_nip",
            "recipient_nip",
            "read_at",
            sqlite_where=text("read_at IS NULL"),
            postgresql_where=text("read_at IS NULL"),
        ),
    )

    id: Mapped[str] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(server_default="email")
    recipient_nip: Mapped[str]
    kind: Mapped[str]
    task_id: Mapped[str | None]  # none for a decision
    task_kind: Mapped[str | None]
    appraisal_id: Mapped[str]
    due_at: Mapped[datetime | None]
    decision: Mapped[str | None]  # for a decision: which one
    created_at: Mapped[datetime]
    status: Mapped[str]
    attempts: Mapped[int]
    next_attempt_at: Mapped[datetime]
    last_error: Mapped[str | None]
    sent_at: Mapped[datetime | None]
    read_at: Mapped[datetime | None]  # when the recipient opened it in the web app


class NoticePreferencesRow(Base):
    """One person's notice preferences (domain.notices.NoticePreferences)."""

    __tablename__ = "notice_preferences"

    nip: Mapped[str] = mapped_column(primary_key=True)
    digest: Mapped[bool]
    quiet_start: Mapped[time | None]
    quiet_end: Mapped[time | None]
    updated_at: Mapped[datetime]


class AuditEventRow(Base):
    """One link of a tamper-evident audit chain (one chain per organisation, store.audit_chains)."""

    __tablename__ = "audit_events"
    __table_args__ = (
        # A racing insert into the same place of a chain collides here.
        UniqueConstraint("chain", "chain_seq"),
        # Never reuse the seq of a deleted row (SQLite's default would take max + 1 again).
        {"sqlite_autoincrement": True},
    )

    # The table's order of appending, assigned by the database; not hashed, as appenders of
    # different chains do not wait for each other to learn it. chain_seq is what is hashed.
    seq: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer(), "sqlite"), Identity(), primary_key=True
    )
    chain: Mapped[str] = mapped_column(String(64))
    chain_seq: Mapped[int] = mapped_column(BigInteger)
    event_id: Mapped[str] = mapped_column(unique=True)
    at: Mapped[datetime] = mapped_column(index=True)
    actor_nip: Mapped[str | None] = mapped_column(index=True)
    kind: Mapped[str] = mapped_column(index=True)
    appraisal_id: Mapped[str | None] = mapped_column(index=True)
    cycle_id: Mapped[str | None] = mapped_column(index=True)
    payload: Mapped[dict[str, Any]]
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
