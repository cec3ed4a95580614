"""The appraisal read model repository."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from appraisal_engine.domain.ratings import Grade
from appraisal_engine.domain.records import AppraisalRecord, AppraisalStatus
from appraisal_engine.domain.stages import Stage
from appraisal_engine.store.repositories.appraisals import (
    add_new_appraisals,
    cycles_rating_units_of,
    get_appraisal,
    list_appraisals,
    upsert_appraisal,
)
from appraisal_engine.store.repositories.viewers import Viewer
from tests.store.builders import T0, appraisal, nip, uid


async def test_an_appraisal_round_trips(session: AsyncSession) -> None:
    record = appraisal(grade_computed=Grade.BAIK, grade_final=Grade.SANGAT_BAIK)
    await upsert_appraisal(session, record)
    assert await get_appraisal(session, record.id) == record
    assert await get_appraisal(session, "no-such-appraisal") is None


async def test_upsert_is_idempotent_and_overwrites(session: AsyncSession) -> None:
    record = appraisal(cycle_id=uid("cycle"))
    await upsert_appraisal(session, record)
    await upsert_appraisal(session, record)
    assert await list_appraisals(session, cycle_id=record.cycle_id) == [record]
    moved = record.model_copy(
        update={
            "stage": Stage.DONE,
            "status": AppraisalStatus.COMPLETED,
            "supervisor_nip": None,
            "grade_final": Grade.KURANG,
            "flags": [],
            "updated_at": T0 + timedelta(days=300),
        }
    )
    await upsert_appraisal(session, moved)
    assert await get_appraisal(session, record.id) == moved


async def test_list_appraisals_filters_and_pages(session: AsyncSession) -> None:
    cycle, other_cycle = uid("cycle"), uid("cycle")
    boss = uid("nip")
    rows = [
        appraisal(id="a-1", cycle_id=cycle, unit_code="DISDIK", stage="review",
                  supervisor_nip=boss, grade_computed=Grade.BAIK, grade_final=Grade.SANGAT_BAIK),
        appraisal(id="a-2", cycle_id=cycle, unit_code="DISDIK", stage="targets",
                  supervisor_nip=boss, grade_computed=Grade.SANGAT_BAIK),
        appraisal(id="a-3", cycle_id=cycle, unit_code="DINKES", stage="review",
                  supervisor_nip=nip(7), grade_final=Grade.SANGAT_BAIK),
        appraisal(id="a-4", cycle_id=other_cycle, unit_code="DISDIK", stage="review",
                  supervisor_nip=boss, grade_final=Grade.SANGAT_BAIK),
    ]  # fmt: skip
    for record in rows:
        await upsert_appraisal(session, record)

    def ids(records: list[AppraisalRecord]) -> list[str]:
        return [r.id for r in records]

    assert ids(await list_appraisals(session, cycle_id=cycle)) == ["a-1", "a-2", "a-3"]
    assert ids(await list_appraisals(session, cycle_id=cycle, unit_code="DISDIK")) == ["a-1", "a-2"]
    assert ids(await list_appraisals(session, cycle_id=cycle, stage="review")) == ["a-1", "a-3"]
    # grade means the final grade: a-2's computed Sangat Baik does not count.
    by_grade = await list_appraisals(session, cycle_id=cycle, grade=Grade.SANGAT_BAIK)
    assert ids(by_grade) == ["a-1", "a-3"]
    assert ids(await list_appraisals(session, supervisor_nip=boss)) == ["a-1", "a-2", "a-4"]
    combined = await list_appraisals(
        session, supervisor_nip=boss, unit_code="DISDIK", stage="review", grade=Grade.SANGAT_BAIK
    )
    assert ids(combined) == ["a-1", "a-4"]
    pages = [
        ids(await list_appraisals(session, supervisor_nip=boss, limit=2, offset=offset))
        for offset in (0, 2)
    ]
    assert pages == [["a-1", "a-2"], ["a-4"]]


async def test_a_personal_list_cannot_be_filtered_by_who_holds_open_tasks(
    session: AsyncSession,
) -> None:
    # Someone's own appraisals narrowed to those where a peer still has a survey open would
    # name the peers: that filter is for lists that need no `visible_to`.
    with pytest.raises(ValueError, match="open_task_for"):
        await list_appraisals(session, visible_to=Viewer(nip(1)), open_task_for=nip(2))


async def test_new_appraisals_are_added_at_once_and_existing_rows_kept(
    session: AsyncSession,
) -> None:
    cycle = uid("cycle")
    moved = appraisal(cycle_id=cycle, stage="monitoring", updated_at=T0 + timedelta(days=40))
    await upsert_appraisal(session, moved)
    fresh = [appraisal(cycle_id=cycle) for _ in range(450)]  # a launch batch and more
    stale = moved.model_copy(update={"stage": Stage.TARGETS, "updated_at": T0})
    await add_new_appraisals(session, [*fresh[:200], stale, *fresh[200:]])
    stored = await list_appraisals(session, cycle_id=cycle, limit=None)
    assert len(stored) == len(fresh) + 1  # every new row, whatever its place in the batch
    assert {a.id: a for a in stored} == {a.id: a for a in [*fresh, moved]}  # moved kept as is
    await add_new_appraisals(session, [])  # an empty batch is fine: nothing is sent


async def test_only_one_level_up_from_a_units_head_may_rate_a_unit(session: AsyncSession) -> None:
    cycle, other = uid("cycle"), uid("cycle")
    regional_head, head, section, staff, next_head = (
        nip(801),
        nip(802),
        nip(803),
        nip(804),
        nip(805),
    )
    rows = [
        # The head of DISDIK is appraised by the regional head, who has no appraisal.
        appraisal(
            cycle_id=cycle, employee_nip=head, unit_code="DISDIK", supervisor_nip=regional_head
        ),
        appraisal(cycle_id=cycle, employee_nip=section, unit_code="DISDIK", supervisor_nip=head),
        appraisal(cycle_id=cycle, employee_nip=staff, unit_code="DISDIK", supervisor_nip=section),
        # In another cycle they head SETDA and appraise the head of BAGHUKUM, another unit:
        # there they are one level up from that unit's head.
        appraisal(
            cycle_id=other, employee_nip=head, unit_code="SETDA", supervisor_nip=regional_head
        ),
        appraisal(
            cycle_id=other, employee_nip=next_head, unit_code="BAGHUKUM", supervisor_nip=head
        ),
    ]
    for row in rows:
        await upsert_appraisal(session, row)
    assert await cycles_rating_units_of(session, regional_head) == sorted([cycle, other])
    # Appraising only people of one's own unit rates no unit.
    assert await cycles_rating_units_of(session, head) == [other]
    assert await cycles_rating_units_of(session, section) == []
    assert await cycles_rating_units_of(session, staff) == []
    # A year that has ended asks nothing.
    await upsert_appraisal(
        session, rows[-1].model_copy(update={"status": AppraisalStatus.COMPLETED})
    )
    assert await cycles_rating_units_of(session, head) == []
