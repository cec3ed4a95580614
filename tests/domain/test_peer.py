"""Peer (rekan kerja) input: the closed survey and its anonymous aggregate."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from appraisal_engine.domain.peer import PeerFeedback, summarise_peers
from appraisal_engine.domain.ratings import Dimension

D = Dimension


def answers(score: int, **overrides: int) -> PeerFeedback:
    scores = {d: score for d in Dimension} | {D(k): v for k, v in overrides.items()}
    return PeerFeedback(scores=scores)


def test_feedback_with_all_seven_dimensions_is_accepted() -> None:
    fb = PeerFeedback.model_validate(
        {"scores": {d.value: 4 for d in Dimension}, "comment": "Kolaboratif dan ramah"}
    )
    assert fb.scores == {d: 4 for d in Dimension}
    assert len(fb.scores) == 7


@pytest.mark.parametrize("dimension", list(Dimension))
def test_every_dimension_is_required(dimension: Dimension) -> None:
    scores = {d: 3 for d in Dimension if d is not dimension}
    with pytest.raises(ValidationError, match=f"scores missing for \\['{dimension.value}'\\]"):
        PeerFeedback(scores=scores)


@pytest.mark.parametrize("score", [0, 6, -1, 100])
def test_scores_must_be_one_to_five(score: int) -> None:
    with pytest.raises(ValidationError, match="scores must be 1-5, not for \\['loyal'\\]"):
        answers(3, loyal=score)


@pytest.mark.parametrize("score", [1, 5])
def test_score_bounds_are_inclusive(score: int) -> None:
    assert answers(3, adaptif=score).scores[D.ADAPTIF] == score


def test_unknown_dimension_and_fractional_score_are_rejected() -> None:
    scores: dict[str, object] = {d.value: 3 for d in Dimension}
    with pytest.raises(ValidationError):
        PeerFeedback.model_validate({"scores": scores | {"komunikatif": 4}})
    with pytest.raises(ValidationError):
        PeerFeedback.model_validate({"scores": scores | {"loyal": 3.5}})


def test_below_the_anonymity_threshold_nothing_is_shown() -> None:
    s = summarise_peers([answers(5), answers(1)], invited=3, quorum=2, anonymity_threshold=3)
    assert (s.invited, s.responded, s.quorum_met, s.shown, s.means) == (3, 2, True, False, None)


def test_at_the_threshold_per_dimension_means_are_shown() -> None:
    s = summarise_peers(
        [answers(3, loyal=1), answers(4, loyal=2), answers(5, loyal=2, kolaboratif=1)],
        invited=4,
        quorum=4,
        anonymity_threshold=3,
    )
    assert s.shown is True
    assert s.quorum_met is False
    assert (s.invited, s.responded) == (4, 3)
    assert s.means is not None
    assert s.means[D.LOYAL] == 1.67
    assert s.means[D.KOLABORATIF] == 2.67
    assert s.means[D.HARMONIS] == 4.0
    assert set(s.means) == set(Dimension)


def test_above_the_threshold_means_are_shown() -> None:
    group = [answers(2), answers(3), answers(4), answers(5)]
    s = summarise_peers(group, invited=5, quorum=2, anonymity_threshold=3)
    assert s.shown and s.quorum_met
    assert s.means == {d: 3.5 for d in Dimension}


def test_quorum_flag_is_independent_of_showing() -> None:
    group = [answers(4)] * 2
    assert summarise_peers(group, invited=3, quorum=2, anonymity_threshold=1).quorum_met is True
    assert summarise_peers(group, invited=3, quorum=3, anonymity_threshold=1).quorum_met is False
    s = summarise_peers(group, invited=3, quorum=3, anonymity_threshold=1)
    assert s.shown is True
    assert s.means == {d: 4.0 for d in Dimension}


def test_no_answers_show_nothing_even_with_threshold_zero() -> None:
    s = summarise_peers([], invited=3, quorum=2, anonymity_threshold=0)
    assert (s.responded, s.quorum_met, s.shown, s.means) == (0, False, False, None)
