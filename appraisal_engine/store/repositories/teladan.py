"""ASN teladan nominations, and the counts their cap is checked against."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from appraisal_engine.domain.ratings import Grade
from appraisal_engine.domain.records import TeladanNomination
from appraisal_engine.store.locks import hold_write_lock
from appraisal_engine.store.models import OutcomeRow, TeladanNominationRow
from appraisal_engine.store.repositories._rows import row_values, table_of

_nominations = table_of(TeladanNominationRow)
_outcomes = table_of(OutcomeRow)


async def lock_cycle(session: AsyncSession, cycle_id: str) -> None:
    """Serialise a cycle's nominations, so two cannot both take the cap's last place."""
    await hold_write_lock(session, f"teladan:{cycle_id}", _nominations)


async def add_nomination(session: AsyncSession, nomination: TeladanNomination) -> None:
    """Store a nomination (the caller checked that it is new and within the cap)."""
    await session.execute(_nominations.insert().values(row_values(nomination)))


async def get_nomination(
    session: AsyncSession, cycle_id: str, employee_nip: str
) -> TeladanNomination | None:
    """The employee's nomination in the cycle, if any."""
    query = select(_nominations).where(
        _nominations.c.cycle_id == cycle_id, _nominations.c.employee_nip == employee_nip
    )
    row = (await session.execute(query)).first()
    return None if row is None else TeladanNomination.model_validate(dict(row._mapping))


async def list_nominations(session: AsyncSession, cycle_id: str) -> list[TeladanNomination]:
    """The cycle's nominations, in the order they were made (the cap keeps them few)."""
    query = (
        select(_nominations)
        .where(_nominations.c.cycle_id == cycle_id)
        .order_by(_nominations.c.nominated_at, _nominations.c.employee_nip)
    )
    return [
        TeladanNomination.model_validate(dict(r._mapping)) for r in await session.execute(query)
    ]


async def count_nominations(session: AsyncSession, cycle_id: str) -> int:
    """How many the cycle has nominated."""
    query = select(func.count()).where(_nominations.c.cycle_id == cycle_id)
    return int((await session.execute(query)).scalar_one())


async def count_sangat_baik(session: AsyncSession, cycle_id: str) -> int:
    """How many of the cycle's outcomes follow a final Sangat Baik: those HR chooses among."""
    query = select(func.count()).where(
        _outcomes.c.cycle_id == cycle_id, _outcomes.c.grade == Grade.SANGAT_BAIK.value
    )
    return int((await session.execute(query)).scalar_one())


async def sangat_baik_appraisals(session: AsyncSession, cycle_id: str) -> list[str]:
    """The appraisals of the cycle's Sangat Baik, by the employee's NIP."""
    query = (
        select(_outcomes.c.appraisal_id)
        .where(_outcomes.c.cycle_id == cycle_id, _outcomes.c.grade == Grade.SANGAT_BAIK.value)
        .order_by(_outcomes.c.employee_nip)
    )
    return list((await session.execute(query)).scalars())
