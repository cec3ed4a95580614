"""The grades calibration reads from the read model."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from appraisal_engine.domain.calibration import UnitGrade
from appraisal_engine.domain.ratings import Grade
from appraisal_engine.domain.records import AppraisalStatus
from appraisal_engine.store.repositories.appraisals import upsert_appraisal
from appraisal_engine.store.repositories.grades import grade_counts_of, unit_grades_of
from tests.store.builders import appraisal, uid


async def test_a_units_reviewed_uncancelled_appraisals_in_id_order(session: AsyncSession) -> None:
    cycle = uid("cycle")
    graded = appraisal(id="b", cycle_id=cycle, grade_computed=Grade.BAIK)
    released = appraisal(
        id="a", cycle_id=cycle, grade_computed=Grade.BAIK, grade_final=Grade.SANGAT_BAIK
    )
    for record in (
        graded,
        released,
        appraisal(id="c", cycle_id=cycle),  # not reviewed yet
        appraisal(
            id="d",
            cycle_id=cycle,
            grade_computed=Grade.KURANG,
            status=AppraisalStatus.CANCELLED,
        ),
        appraisal(id="e", cycle_id=cycle, unit_code="DINKES", grade_computed=Grade.BAIK),
    ):
        await upsert_appraisal(session, record.model_copy(update={"id": f"{cycle}-{record.id}"}))
    assert await unit_grades_of(session, cycle, "DISDIK") == [
        UnitGrade(
            appraisal_id=f"{cycle}-a", grade_computed=Grade.BAIK, grade_final=Grade.SANGAT_BAIK
        ),
        UnitGrade(appraisal_id=f"{cycle}-b", grade_computed=Grade.BAIK, grade_final=None),
    ]


async def test_each_units_grades_counted_released_else_computed(session: AsyncSession) -> None:
    cycle = uid("cycle")
    records = [
        appraisal(id="a", grade_computed=Grade.BAIK),
        appraisal(id="b", grade_computed=Grade.BAIK),
        # Released: counted under the released grade, not the computed one.
        appraisal(id="c", grade_computed=Grade.BAIK, grade_final=Grade.SANGAT_BAIK),
        appraisal(id="d", grade_computed=Grade.SANGAT_BAIK),
        appraisal(id="e"),  # not reviewed yet: left out
        appraisal(id="f", grade_computed=Grade.KURANG, status=AppraisalStatus.CANCELLED),
        appraisal(id="g", unit_code="DINKES", grade_computed=Grade.KURANG),
    ]
    for record in records:
        update = {"id": f"{cycle}-{record.id}", "cycle_id": cycle}
        await upsert_appraisal(session, record.model_copy(update=update))
    other = appraisal(id=f"{uid('other')}-a", cycle_id=uid("other"), grade_computed=Grade.BAIK)
    await upsert_appraisal(session, other)  # another cycle's: not counted
    assert await grade_counts_of(session, cycle) == {
        "DISDIK": {Grade.BAIK: 2, Grade.SANGAT_BAIK: 2},
        "DINKES": {Grade.KURANG: 1},
    }
