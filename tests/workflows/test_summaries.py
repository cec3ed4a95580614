"""What of a task body the audit log keeps: decisions and numbers, the new ones only where the
policy asks for them, so a body without them is summarised exactly as before."""

from __future__ import annotations

from appraisal_engine.domain.indicators import PeriodIndicators
from appraisal_engine.domain.ratings import Rating
from appraisal_engine.domain.reports import Feedback
from appraisal_engine.simulator.scripted import review
from appraisal_engine.workflows.appraisal.summaries import summarise_body
from appraisal_engine.workflows.messages import FeedbackBody, ReviewBody

M, B = Rating.MEETS, Rating.BELOW


def test_a_feedback_keeps_its_indicators_and_never_its_text() -> None:
    plain = FeedbackBody(feedback=Feedback(comment="Rahasia: catatan pribadi"))
    assert summarise_body(plain) == {}
    month = PeriodIndicators(attendance=96.5, discipline_breaches=1)
    kept = summarise_body(FeedbackBody(feedback=Feedback(comment="Rahasia", indicators=month)))
    assert kept == {"indicators": {"attendance": 96.5, "discipline_breaches": 1}}


def test_a_review_keeps_its_process_ratings_only_when_it_has_them() -> None:
    before = summarise_body(ReviewBody(review=review(M, M)))
    assert set(before) == {"target_ratings", "behaviour_ratings"}
    with_process = summarise_body(ReviewBody(review=review(M, M, process=B)))
    assert with_process["process_ratings"] == {"T1": "below", "T2": "below", "T3": "below"}
    assert "Kinerja dinilai" not in str(with_process)  # the comment stays out
