"""ASN teladan nominations against the database: HR picks from the cycle's Sangat Baik, up to the
policy's cap; everyone else, and every nomination past the rules, is refused with the reason."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from appraisal_engine.api.auth import Principal
from appraisal_engine.api.roles import Role
from appraisal_engine.domain.audit_kinds import AUDITOR_READ, TELADAN_NOMINATED
from appraisal_engine.domain.outcome import OutcomeKind
from appraisal_engine.domain.presets import preset
from appraisal_engine.domain.ratings import Grade
from appraisal_engine.domain.records import AuditFilter, TeladanNomination
from appraisal_engine.domain.teladan import TeladanPolicy
from appraisal_engine.services import teladan
from appraisal_engine.services.errors import Conflict, Forbidden, NotFound
from appraisal_engine.store.repositories.appraisals import upsert_appraisal
from appraisal_engine.store.repositories.audit import list_events
from appraisal_engine.store.repositories.outcomes import upsert_outcome
from tests.store.builders import appraisal, nip, outcome, uid

HR = Principal(nip=nip(70), roles=frozenset({Role.HR}))
AUDITOR = Principal(nip=nip(71), roles=frozenset({Role.AUDITOR}))
WANGGAR = preset("wanggar").teladan  # five at most, a tenth of the Sangat Baik
NOW = datetime(2027, 1, 20, 2, 0, tzinfo=UTC)


@dataclass
class Cycle:
    """A cycle of twenty Sangat Baik (a cap of two) and one Baik."""

    id: str
    sangat_baik: list[str]
    baik: str
    sessions: async_sessionmaker[AsyncSession]


@pytest.fixture
async def cycle(session_factory: async_sessionmaker[AsyncSession]) -> Cycle:
    cycle_id = uid("cycle")
    ids: dict[Grade, list[str]] = {Grade.SANGAT_BAIK: [], Grade.BAIK: []}
    async with session_factory() as s, s.begin():
        for n in range(21):
            grade = Grade.SANGAT_BAIK if n < 20 else Grade.BAIK
            record = appraisal(cycle_id=cycle_id, employee_nip=nip(100 + n), stage="done")
            await upsert_appraisal(s, record)
            await upsert_outcome(
                s,
                outcome(
                    appraisal_id=record.id,
                    cycle_id=cycle_id,
                    employee_nip=record.employee_nip,
                    grade=grade,
                    kind=OutcomeKind.AWARD
                    if grade is Grade.SANGAT_BAIK
                    else OutcomeKind.DEVELOPMENT,
                ),
            )
            ids[grade].append(record.id)
    return Cycle(cycle_id, ids[Grade.SANGAT_BAIK], ids[Grade.BAIK][0], session_factory)


async def nominate(
    cycle: Cycle,
    appraisal_id: str,
    *,
    who: Principal = HR,
    policy: TeladanPolicy = WANGGAR,
    cycle_id: str | None = None,
) -> TeladanNomination:
    async with cycle.sessions() as s:
        return await teladan.nominate(
            s,
            cycle.sessions,
            who,
            cycle_id or cycle.id,
            appraisal_id=appraisal_id,
            reason="inovasi antrian digital",
            policy=policy,
            now=NOW,
        )


async def test_hr_nominates_up_to_the_cap_and_the_next_is_refused(cycle: Cycle) -> None:
    first = await nominate(cycle, cycle.sangat_baik[0])
    await nominate(cycle, cycle.sangat_baik[1])
    with pytest.raises(Conflict, match="cap is reached: 2 nomination") as refused:
        await nominate(cycle, cycle.sangat_baik[2])
    assert refused.value.code == "TeladanRefused"
    async with cycle.sessions() as s:
        view = await teladan.read(s, AUDITOR, cycle.id, policy=WANGGAR, sessions=cycle.sessions)
    async with cycle.sessions() as s:
        events = await list_events(s, where=AuditFilter(cycle_id=cycle.id))
    assert (view.sangat_baik, view.cap) == (20, 2)
    assert [n.appraisal_id for n in view.nominations] == cycle.sangat_baik[:2]
    assert view.nominations[0] == first and first.nominated_by == HR.nip
    # Two nominations, and the auditor's read of them.
    assert [e.kind for e in events] == [TELADAN_NOMINATED] * 2 + [AUDITOR_READ]


async def test_a_baik_is_refused_with_the_reason(cycle: Cycle) -> None:
    with pytest.raises(Conflict, match=r"only a final grade of Sangat Baik.*baik\)"):
        await nominate(cycle, cycle.baik)


async def test_nobody_is_nominated_twice(cycle: Cycle) -> None:
    await nominate(cycle, cycle.sangat_baik[0])
    with pytest.raises(Conflict, match="already nominated"):
        await nominate(cycle, cycle.sangat_baik[0])


async def test_a_policy_without_nomination_refuses_it(cycle: Cycle) -> None:
    with pytest.raises(Conflict, match="no ASN teladan nomination by HR"):
        await nominate(cycle, cycle.sangat_baik[0], policy=preset("national").teladan)


async def test_only_hr_nominates_and_only_the_cycle_s_own(cycle: Cycle) -> None:
    with pytest.raises(Forbidden):
        await nominate(cycle, cycle.sangat_baik[0], who=AUDITOR)
    with pytest.raises(NotFound):
        await nominate(cycle, cycle.sangat_baik[0], cycle_id=uid("cycle"))
    async with cycle.sessions() as s:
        with pytest.raises(Forbidden):
            await teladan.read(
                s, Principal(nip=nip(100)), cycle.id, policy=WANGGAR, sessions=cycle.sessions
            )
