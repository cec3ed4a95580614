"""Record builders for store tests: valid defaults, override what a test is about."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from appraisal_engine.domain.employee import Employee, PositionLevel
from appraisal_engine.domain.outcome import OutcomeKind
from appraisal_engine.domain.ratings import Grade
from appraisal_engine.domain.records import (
    AppraisalRecord,
    AppraisalStatus,
    AuditEvent,
    OutcomeRecord,
    TaskRecord,
)
from appraisal_engine.domain.tasks import TaskKind

WIB = timezone(timedelta(hours=7))
T0 = datetime(2025, 1, 6, 8, 30, tzinfo=WIB)


def uid(prefix: str) -> str:
    """A unique id, so rows committed by other tests never match a test's filters."""
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def nip(sequence: int, sex: int = 1) -> str:
    """A valid 18-digit NIP; the sequence (1..999) makes it unique."""
    return f"19770817200203{sex}{sequence:03d}"


def task(**changes: Any) -> TaskRecord:
    values: dict[str, Any] = {
        "id": uid("task"),
        "appraisal_id": "appraisal-c1-" + nip(1),
        "cycle_id": "cycle-kota-2025",
        "employee_nip": nip(1),
        "kind": TaskKind.SELF_REPORT,
        "assignee_nip": nip(1),
        "opened_at": T0,
        "due_at": T0 + timedelta(days=14),
        "period": 1,
        "detail": {"period": 1, "note": "Laporan triwulan I", "tags": ["q1"]},
    }
    return TaskRecord.model_validate(values | changes)


def appraisal(**changes: Any) -> AppraisalRecord:
    values: dict[str, Any] = {
        "id": uid("appraisal"),
        "cycle_id": "cycle-kota-2025",
        "employee_nip": nip(1),
        "unit_code": "DISDIK",
        "supervisor_nip": nip(2),
        "superior_nip": nip(3),
        "policy": "national",
        "stage": "targets",
        "status": AppraisalStatus.RUNNING,
        "flags": ["acting_supervisor"],
        "updated_at": T0,
    }
    return AppraisalRecord.model_validate(values | changes)


def outcome(**changes: Any) -> OutcomeRecord:
    values: dict[str, Any] = {
        "appraisal_id": uid("appraisal"),
        "cycle_id": "cycle-kota-2025",
        "employee_nip": nip(1),
        "unit_code": "DISDIK",
        "grade": Grade.BUTUH_PERBAIKAN,
        "kind": OutcomeKind.MENTORSHIP,
        "credit_points_percent": 75,
        "decided_at": T0,
    }
    return OutcomeRecord.model_validate(values | changes)


def employee(
    sequence: int, level: PositionLevel, unit_code: str = "DISDIK", **changes: Any
) -> Employee:
    values: dict[str, Any] = {
        "nip": nip(sequence),
        "name": f"Pegawai {sequence}",
        "unit_code": unit_code,
        "unit_name": f"Unit {unit_code}",
        "position": f"Jabatan {level.value}",
        "position_level": level,
    }
    return Employee.model_validate(values | changes)


def event(**changes: Any) -> AuditEvent:
    values: dict[str, Any] = {
        "event_id": uid("evt"),
        "at": datetime(2025, 3, 1, 9, 0, 0, 123456, tzinfo=UTC),
        "actor_nip": nip(2),
        "kind": "targets.approved",
        "appraisal_id": "appraisal-c1-" + nip(1),
        "cycle_id": "cycle-kota-2025",
        "payload": {"targets": 3, "komentar": "Disetujui — lanjutkan", "score": 0.75},
    }
    return AuditEvent.model_validate(values | changes)
