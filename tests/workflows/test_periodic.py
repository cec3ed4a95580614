"""Periodic ratings in the workflow: a feedback without the rating a policy asks for is refused
with nothing entering the history; the year's grade follows the periods where the policy says
so, and `verify-history` re-derives the same grade from the history."""

from __future__ import annotations

from pathlib import Path

from appraisal_engine.appraisal.verify import verify_files
from appraisal_engine.domain.periodic import PeriodicPolicy, PeriodRating, YearGrade
from appraisal_engine.domain.presets import NATIONAL
from appraisal_engine.domain.ratings import Grade, Rating
from appraisal_engine.domain.records import TaskRecord, TaskStatus
from appraisal_engine.domain.reports import Feedback
from appraisal_engine.domain.tasks import TaskKind
from appraisal_engine.workflows.messages import AppraisalState, FeedbackBody, TaskBody
from appraisal_engine.workflows.timeline import build_timeline
from tests.workflows.conftest import Running
from tests.workflows.driver import Actors, appraisal_input, complete, drive, nip, start
from tests.workflows.test_rejections import assert_rejected

POLICY = NATIONAL.model_copy(
    update={"periodic": PeriodicPolicy(rating_required=True, year_grade=YearGrade.WITH_PERIODS)}
)


class RatedAbove(Actors):
    """Rates every period above on both axes (Sangat Baik); the year's review meets (Baik)."""

    def body(self, task: TaskRecord, state: AppraisalState | None = None) -> TaskBody | None:
        if task.kind is TaskKind.FEEDBACK:
            rating = PeriodRating(results=Rating.ABOVE, behaviour=Rating.ABOVE)
            return FeedbackBody(feedback=Feedback(comment="Sangat baik", rating=rating))
        return super().body(task, state)


async def test_the_year_follows_the_periods_and_a_missing_rating_is_refused(
    running: Running, tmp_path: Path
) -> None:
    handle = await start(running, appraisal_input(POLICY, employee_nip=nip(67)))
    actors = RatedAbove(POLICY)

    def feedback_open(s: AppraisalState) -> bool:
        return any(t.kind is TaskKind.FEEDBACK and t.status is TaskStatus.OPEN for t in s.tasks)

    state = await drive(running, handle, actors, until=feedback_open)
    task = next(
        t for t in state.tasks if t.kind is TaskKind.FEEDBACK and t.status is TaskStatus.OPEN
    )
    bare = FeedbackBody(feedback=Feedback(comment="Lanjutkan"))
    await assert_rejected(handle, lambda: complete(handle, task, bare), "InvalidPayload", "rating")

    state = await drive(running, handle, actors)
    assert state.assessment is not None
    assert state.assessment.review_grade is Grade.BAIK  # the year-end review meets on both
    assert state.assessment.period_grades == [Grade.SANGAT_BAIK] * 4
    assert state.assessment.grade is Grade.SANGAT_BAIK  # (5 * 4 + 4) / 5 = 4.8
    assert [p.feedback.rating.grade for p in state.periods if p.feedback and p.feedback.rating] == [
        Grade.SANGAT_BAIK
    ] * 4
    result = await handle.result()
    assert result.grade_computed is Grade.SANGAT_BAIK

    history = await handle.fetch_history()
    timeline = await build_timeline(history, workflow_id=handle.id)
    said = [e.summary for e in timeline.entries if e.summary.startswith("feedback")]
    assert said == [f"feedback for period {n}, rated sangat_baik" for n in range(1, 5)], said
    path = tmp_path / f"{handle.id}.json"
    path.write_text(history.to_json())
    [verdict] = await verify_files([path])
    assert verdict.replay_error is None and not verdict.mismatch, verdict
    assert verdict.recomputed == Grade.SANGAT_BAIK.value


async def test_the_default_rule_keeps_the_reviews_grade(running: Running) -> None:
    handle = await start(running, appraisal_input(NATIONAL, employee_nip=nip(68)))
    state = await drive(running, handle, RatedAbove(NATIONAL))
    assert state.assessment is not None and state.assessment.grade is Grade.BAIK
    assert state.assessment.review_grade is None and state.assessment.period_grades == []
