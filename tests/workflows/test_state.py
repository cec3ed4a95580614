"""The year's state model: serialisable, and the one source of the views made from it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from appraisal_engine.domain.presets import NATIONAL
from appraisal_engine.domain.ratings import Rating
from appraisal_engine.domain.records import AppraisalStatus, ParentTarget, TaskStatus
from appraisal_engine.domain.stages import Stage
from appraisal_engine.domain.tasks import TaskKind
from appraisal_engine.simulator.scripted import EMPLOYEE, PLAN, SUPERIOR, SUPERVISOR, review
from appraisal_engine.workflows.appraisal.state import AppraisalYear, opening_record
from appraisal_engine.workflows.messages import ReviewBody, TargetsDraftBody
from tests.workflows.driver import appraisal_input

START = datetime(2025, 1, 2, tzinfo=UTC)


def year_under_way() -> AppraisalYear:
    year = AppraisalYear.begin(appraisal_input(NATIONAL), "appraisal-x", START)
    draft = year.book.open(TaskKind.TARGETS_DRAFT, EMPLOYEE, START, START + timedelta(days=14))
    draft.body = TargetsDraftBody(plan=PLAN)
    draft.close(TaskStatus.DONE, START + timedelta(days=1), EMPLOYEE)
    year.draft = year.plan = PLAN
    year.book.open(
        TaskKind.REVIEW, SUPERVISOR, START, START + timedelta(days=30), detail={"targets": ["a"]}
    )
    year.flag("overdue:review")
    year.flag("overdue:review")
    return year


def test_the_year_round_trips_through_json() -> None:
    year = year_under_way()
    year.review = review(Rating.ABOVE, Rating.MEETS)
    year.book.tasks["appraisal-x-t2"].body = ReviewBody(review=year.review)
    copy = AppraisalYear.model_validate_json(year.model_dump_json())
    assert copy == year
    assert copy.flags == ["overdue:review"]
    assert isinstance(copy.book.tasks["appraisal-x-t1"].body, TargetsDraftBody)


def test_the_views_read_the_same_facts() -> None:
    year = year_under_way()
    at = START + timedelta(days=2)
    state, record, result = year.view(waiting_until=at), year.record(at), year.result()
    assert state.appraisal_id == record.id == result.appraisal_id == "appraisal-x"
    assert state.stage is record.stage is result.stage is Stage.TARGETS
    assert state.flags == record.flags == result.flags == ["overdue:review"]
    assert (state.supervisor_nip, state.superior_nip) == (SUPERVISOR, SUPERIOR)
    assert (record.supervisor_nip, record.superior_nip) == (SUPERVISOR, SUPERIOR)
    assert [t.id for t in state.tasks] == ["appraisal-x-t1", "appraisal-x-t2"]
    assert state.waiting_until == at and state.plan == PLAN
    assert record.status is AppraisalStatus.RUNNING


def test_the_opening_row_is_the_record_of_a_year_just_begun() -> None:
    inp = appraisal_input(NATIONAL)
    row = opening_record(inp, "appraisal-x", START)
    assert row == AppraisalYear.begin(inp, "appraisal-x", START).record(START)
    assert (row.stage, row.status, row.flags) == (Stage.TARGETS, AppraisalStatus.RUNNING, [])


def test_a_new_appraiser_in_targets_drops_the_old_ones_targets() -> None:
    year = AppraisalYear.begin(
        appraisal_input(NATIONAL.model_copy(update={"cascading": True}), supervisor_in_cycle=True),
        "appraisal-x",
        START,
    )
    assert year.awaiting_parents
    year.parents = [ParentTarget(id="p1", rhk="the old appraiser's target")]
    before = year.reassign("199001012015011009", None)
    assert (before.supervisor_nip, before.superior_nip) == (SUPERVISOR, SUPERIOR)
    assert (year.supervisor_nip, year.superior_nip) == ("199001012015011009", SUPERIOR)
    assert year.parents is None and not year.awaiting_parents
    assert year.flags == ["cascading_skipped:reassigned"]
