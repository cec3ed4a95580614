"""Writes of the task inbox, the appraisal read model and outcomes; each idempotent."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio import activity

from appraisal_engine.domain.matrix import PlanRecord
from appraisal_engine.domain.notice_decisions import decision_of
from appraisal_engine.domain.notices import decision_notice, opening_notice
from appraisal_engine.domain.projection import StepProjection
from appraisal_engine.domain.records import (
    AppraisalRecord,
    AuditEvent,
    MentorMatch,
    MentorRequest,
    OutcomeRecord,
    TaskRecord,
)
from appraisal_engine.store.audit_writer import Write, append_event_with_retry, commit_with_events
from appraisal_engine.store.repositories import appraisals, notices, outcomes, plans, tasks
from appraisal_engine.workflows import io


class ReadModelActivities:
    """Projections of workflow state into the database; a retry rewrites the same row."""

    def __init__(self, session_factory: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = session_factory

    @activity.defn(name=io.UPSERT_TASK)
    async def upsert_task(self, task: TaskRecord) -> None:
        """Write one inbox row as the workflow holds it; a task just opened is announced to its
        assignee through the outbox, in the same transaction (once: the notice's id is the
        task's, so a rewrite or a retry adds nothing)."""
        notice = opening_notice(task, datetime.now(UTC))
        async with self._sessions() as session, session.begin():
            await tasks.upsert_task(session, task)
            if notice is not None:
                await notices.add_notices(session, [notice])

    @activity.defn(name=io.SYNC_APPRAISAL)
    async def sync_appraisal(self, appraisal: AppraisalRecord) -> None:
        """Write the appraisal's read-model row."""
        async with self._sessions() as session, session.begin():
            await appraisals.upsert_appraisal(session, appraisal)

    @activity.defn(name=io.RECORD_OUTCOME)
    async def record_outcome(self, outcome: OutcomeRecord) -> None:
        """Write the follow-up decided for an appraisal."""
        async with self._sessions() as session, session.begin():
            await outcomes.upsert_outcome(session, outcome)

    @activity.defn(name=io.RECORD_PLAN)
    async def record_plan(self, plan: PlanRecord) -> None:
        """Write the appraisal's approved plan, for its unit's role-result matrix."""
        async with self._sessions() as session, session.begin():
            await plans.upsert_plan(session, plan)

    @activity.defn(name=io.MATCH_MENTOR)
    async def match_mentor(self, request: MentorRequest) -> MentorMatch:
        """Reserve a senior of the same unit with room; the offer is recorded in the same step."""
        async with self._sessions() as session, session.begin():
            mentor = await outcomes.reserve_mentor(session, request)
        return MentorMatch(mentor_nip=mentor)

    @activity.defn(name=io.APPEND_AUDIT)
    async def append_audit(self, event: AuditEvent) -> int:
        """Append one decision to the hash-chained audit log; a retry appends nothing twice. A
        decision the employee is told of goes to the outbox in the same transaction, once per
        cause (domain.notice_decisions)."""
        return await append_event_with_retry(self._sessions, event, also=_tell_employee(event))

    @activity.defn(name=io.PROJECT_STEP)
    async def project_step(self, step: StepProjection) -> None:
        """Write one step of an appraisal in one transaction: its inbox rows (with the opening
        notices of tasks just opened), its read-model row, its outcome and its audit events
        (with their decision notices). All of it or, on any failure, none; a retry rewrites
        the same rows and appends no event twice."""
        now = datetime.now(UTC)

        async def rows(session: AsyncSession) -> None:
            for task in step.tasks:
                await tasks.upsert_task(session, task)
                if (notice := opening_notice(task, now)) is not None:
                    await notices.add_notices(session, [notice])
            if step.appraisal is not None:
                await appraisals.upsert_appraisal(session, step.appraisal)
            if step.outcome is not None:
                await outcomes.upsert_outcome(session, step.outcome)

        def tell(event: AuditEvent) -> Write | None:
            return _tell_employee(event, step.appraisal)

        await commit_with_events(self._sessions, step.events, first=rows, also=tell)


def _tell_employee(event: AuditEvent, written: AppraisalRecord | None = None) -> Write | None:
    """The write that puts the notice of the event's decision in the outbox, if it has one.
    `written` is the appraisal's row as the same step writes it, when it does: its employee
    is the one to tell, without reading the row back."""
    found = decision_of(event)
    if found is None or event.appraisal_id is None:
        return None
    (decision, cause), appraisal_id = found, event.appraisal_id
    now = datetime.now(UTC)
    known = written.employee_nip if written is not None and written.id == appraisal_id else None

    async def tell(session: AsyncSession) -> None:
        employee_nip = known
        if employee_nip is None:
            # The row is written when the appraisal starts, long before any decision on it.
            row = await appraisals.get_appraisal(session, appraisal_id)
            employee_nip = None if row is None else row.employee_nip
        if employee_nip is not None:
            notice = decision_notice(decision, cause, appraisal_id, employee_nip, now)
            await notices.add_notices(session, [notice])

    return tell
