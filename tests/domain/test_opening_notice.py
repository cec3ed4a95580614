"""Which opened tasks are announced: one message per event."""

from __future__ import annotations

from datetime import UTC, datetime

from appraisal_engine.domain.notices import NoticeKind, opening_notice
from appraisal_engine.domain.records import TaskStatus
from appraisal_engine.domain.tasks import TaskKind
from tests.store.builders import task

NOW = datetime(2026, 12, 3, 9, tzinfo=UTC)


def test_the_first_draft_is_announced() -> None:
    notice = opening_notice(task(kind=TaskKind.TARGETS_DRAFT, detail={"returned_with": None}), NOW)
    assert notice is not None and notice.kind is NoticeKind.TASK_OPENED


def test_a_plan_to_draft_again_is_told_by_its_return_alone() -> None:
    # The return's own notice tells the employee; an empty comment is still a return.
    for comment in ("Target kuantitas belum terukur", ""):
        again = task(kind=TaskKind.TARGETS_DRAFT, detail={"returned_with": comment})
        assert opening_notice(again, NOW) is None


def test_other_tasks_carry_on_as_before() -> None:
    assert opening_notice(task(kind=TaskKind.SELF_REPORT), NOW) is not None
    assert opening_notice(task(status=TaskStatus.DONE, closed_at=NOW), NOW) is None
    assert opening_notice(task(escalated=True), NOW) is None
