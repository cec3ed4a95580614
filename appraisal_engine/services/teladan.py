"""ASN teladan: HR nominates a few of a cycle's Sangat Baik, within the policy's cap; HR and
auditors read the nominations."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from appraisal_engine.domain.audit_kinds import TELADAN_NOMINATED
from appraisal_engine.domain.errors import DomainError
from appraisal_engine.domain.records import AuditEvent, TeladanNomination
from appraisal_engine.domain.teladan import TeladanPolicy, check_nomination
from appraisal_engine.services.access import Caller, log_auditor_read, require_hr, require_reader
from appraisal_engine.services.errors import Conflict, NotFound
from appraisal_engine.store.audit_writer import append_event_with_retry
from appraisal_engine.store.repositories.appraisals import get_appraisal
from appraisal_engine.store.repositories.outcomes import get_outcome
from appraisal_engine.store.repositories.teladan import (
    add_nomination,
    count_nominations,
    count_sangat_baik,
    get_nomination,
    list_nominations,
    lock_cycle,
)


class TeladanView(BaseModel):
    """A cycle's nominations, and how many its policy allows among its Sangat Baik."""

    nominations: list[TeladanNomination]
    sangat_baik: int
    cap: int
    by_hr: bool


async def read(
    session: AsyncSession,
    who: Caller,
    cycle_id: str,
    *,
    policy: TeladanPolicy,
    sessions: async_sessionmaker[AsyncSession],
) -> TeladanView:
    """The cycle's nominations and cap, for HR and auditors (an auditor's read logged)."""
    require_reader(who)
    sangat_baik = await count_sangat_baik(session, cycle_id)
    await log_auditor_read(sessions, who, "teladan", cycle_id=cycle_id)
    return TeladanView(
        nominations=await list_nominations(session, cycle_id),
        sangat_baik=sangat_baik,
        cap=policy.cap(sangat_baik) if policy.by_hr else 0,
        by_hr=policy.by_hr,
    )


async def nominate(
    session: AsyncSession,
    sessions: async_sessionmaker[AsyncSession],
    who: Caller,
    cycle_id: str,
    *,
    appraisal_id: str,
    reason: str,
    policy: TeladanPolicy,
    now: datetime,
) -> TeladanNomination:
    """HR nominates the employee of one of the cycle's appraisals; refused, with the reason,
    for a grade other than Sangat Baik, past the cap, or twice. Audited."""
    require_hr(who)
    record = await get_appraisal(session, appraisal_id)
    if record is None or record.cycle_id != cycle_id:
        raise NotFound("appraisal")
    outcome = await get_outcome(session, appraisal_id)
    nomination = TeladanNomination(
        cycle_id=cycle_id,
        employee_nip=record.employee_nip,
        appraisal_id=appraisal_id,
        unit_code=record.unit_code,
        nominated_by=who.nip,
        nominated_at=now,
        reason=reason,
    )

    async def write(s: AsyncSession) -> None:
        await lock_cycle(s, cycle_id)
        if await get_nomination(s, cycle_id, record.employee_nip) is not None:
            raise Conflict("this employee is already nominated in the cycle")
        try:
            check_nomination(
                policy,
                outcome.grade if outcome else None,
                nominated=await count_nominations(s, cycle_id),
                sangat_baik=await count_sangat_baik(s, cycle_id),
            )
        except DomainError as e:
            raise Conflict(str(e), code="TeladanRefused", wording=e.wording) from None
        await add_nomination(s, nomination)

    event = AuditEvent(
        event_id=f"{TELADAN_NOMINATED}-{uuid.uuid4()}",
        at=now,
        actor_nip=who.nip,
        kind=TELADAN_NOMINATED,
        appraisal_id=appraisal_id,
        cycle_id=cycle_id,
        payload={
            "employee_nip": record.employee_nip,
            "unit_code": record.unit_code,
            "reason": reason,
        },
    )
    await append_event_with_retry(sessions, event, also=write)
    return nomination
