"""Peer (rekan kerja) input: the closed survey and its anonymous aggregate."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from appraisal_engine.domain.errors import DomainError
from appraisal_engine.domain.peer import (
    BERAKHLAK,
    PeerAspect,
    PeerFeedback,
    check_peer_answers,
    summarise_peers,
)
from appraisal_engine.domain.ratings import Dimension

D = PeerAspect


def answers(score: int, **overrides: int) -> PeerFeedback:
    scores = {d: score for d in BERAKHLAK} | {D(k): v for k, v in overrides.items()}
    return PeerFeedback(scores=scores)


def test_feedback_with_all_seven_dimensions_is_accepted() -> None:
    fb = PeerFeedback.model_validate(
        {"scores": {d.value: 4 for d in Dimension}, "comment": "Kolaboratif dan ramah"}
    )
    assert fb.scores == {d: 4 for d in BERAKHLAK}
    assert len(fb.scores) == 7


@pytest.mark.parametrize("dimension", list(Dimension))
def test_every_dimension_is_required_by_the_default_survey(dimension: Dimension) -> None:
    scores = {PeerAspect(d): 3 for d in Dimension if d is not dimension}
    with pytest.raises(DomainError, match=f"not scored: {dimension.value}$") as e:
        check_peer_answers(PeerFeedback(scores=scores), BERAKHLAK)
    assert e.value.field == "scores"


def test_a_survey_of_its_own_questions_takes_exactly_those() -> None:
    asked = [PeerAspect.KOLABORATIF, PeerAspect.KOMUNIKASI]
    check_peer_answers(PeerFeedback(scores=dict.fromkeys(asked, 4)), asked)
    with pytest.raises(DomainError, match=r"not scored: komunikasi$"):
        check_peer_answers(PeerFeedback(scores={PeerAspect.KOLABORATIF: 4}), asked)
    # The seven values answered where the survey asks two: the five others are refused.
    with pytest.raises(DomainError, match=r"does not ask about berorientasi_pelayanan$"):
        extra = {**dict.fromkeys(asked, 4), PeerAspect.BERORIENTASI_PELAYANAN: 4}
        check_peer_answers(PeerFeedback(scores=extra), asked)
    # Communication is no BerAKHLAK value: the default survey does not ask it.
    with pytest.raises(DomainError, match=r"does not ask about komunikasi$"):
        check_peer_answers(
            PeerFeedback(scores={**answers(4).scores, PeerAspect.KOMUNIKASI: 4}), BERAKHLAK
        )


def test_no_scores_at_all_is_refused() -> None:
    with pytest.raises(ValidationError, match="scores missing"):
        PeerFeedback(scores={})


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
    assert set(s.means) == set(BERAKHLAK)


def test_above_the_threshold_means_are_shown() -> None:
    group = [answers(2), answers(3), answers(4), answers(5)]
    s = summarise_peers(group, invited=5, quorum=2, anonymity_threshold=3)
    assert s.shown and s.quorum_met
    assert s.means == {d: 3.5 for d in BERAKHLAK}


def test_quorum_flag_is_independent_of_showing() -> None:
    group = [answers(4)] * 2
    assert summarise_peers(group, invited=3, quorum=2, anonymity_threshold=1).quorum_met is True
    assert summarise_peers(group, invited=3, quorum=3, anonymity_threshold=1).quorum_met is False
    s = summarise_peers(group, invited=3, quorum=3, anonymity_threshold=1)
    assert s.shown is True
    assert s.means == {d: 4.0 for d in BERAKHLAK}


def test_no_answers_show_nothing_even_with_threshold_zero() -> None:
    s = summarise_peers([], invited=3, quorum=2, anonymity_threshold=0)
    assert (s.responded, s.quorum_met, s.shown, s.means) == (0, False, False, None)


# --- the peers' result, as a rating may weigh it -------------------------------------------------

TWO = (PeerAspect.KOLABORATIF, PeerAspect.KOMUNIKASI)


def two(kolaboratif: int, komunikasi: int) -> PeerFeedback:
    return PeerFeedback(scores={TWO[0]: kolaboratif, TWO[1]: komunikasi})


def test_the_result_is_the_mean_of_the_questions_averages() -> None:
    s = summarise_peers(
        [two(4, 3), two(5, 3), two(4, 2)], invited=3, quorum=2, anonymity_threshold=3, aspects=TWO
    )
    assert s.means == {PeerAspect.KOLABORATIF: 4.33, PeerAspect.KOMUNIKASI: 2.67}
    assert s.counted and s.score() == 3.5


@pytest.mark.parametrize(
    ("responded", "quorum", "threshold", "counted"),
    [
        (3, 2, 3, True),  # Bukittinggi's numbers, everyone answered
        (2, 2, 3, False),  # the quorum, but too few to show: nothing to read from a grade
        (2, 3, 2, False),  # shown, but short of the quorum
        (2, 2, 2, True),  # exactly at both
        (0, 1, 1, False),
    ],
)
def test_the_result_counts_only_at_the_quorum_and_the_anonymity_threshold(
    responded: int, quorum: int, threshold: int, counted: bool
) -> None:
    s = summarise_peers(
        [two(5, 5)] * responded,
        invited=3,
        quorum=quorum,
        anonymity_threshold=threshold,
        aspects=TWO,
    )
    assert s.counted is counted
    assert s.score() == (5.0 if counted else None)
