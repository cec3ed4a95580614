"""Bukittinggi's rule: the peers' result weighs into the behaviour rating by a policy weight."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from appraisal_engine.domain.blend import rating_of, weigh, weigh_ratings
from appraisal_engine.domain.judging import PeerPolicy
from appraisal_engine.domain.peer import PeerAspect, PeerFeedback, PeerSummary, summarise_peers
from appraisal_engine.domain.policy import Policy
from appraisal_engine.domain.presets import PRESETS, preset
from appraisal_engine.domain.ratings import Grade, Rating
from appraisal_engine.domain.review import assess_under
from appraisal_engine.simulator.scripted import PLAN, review

A, M, B = Rating.ABOVE, Rating.MEETS, Rating.BELOW
TWO = [PeerAspect.KOLABORATIF, PeerAspect.KOMUNIKASI]
UNIT = "DISDIK"


def peers_at(score: float, *, responded: int = 3) -> PeerSummary:
    """A counted result whose every question averages `score`."""
    return PeerSummary(
        invited=3,
        responded=responded,
        quorum_met=True,
        shown=True,
        means=dict.fromkeys(TWO, score),
    )


def policy(weight: float, **peer: object) -> Policy:
    rules = {"enabled": True, "aspects": TWO, "behaviour_weight": weight, **peer}
    return Policy(name="uji", title="uji", peer=PeerPolicy.model_validate(rules))


def behaviour(p: Policy, supervisor: Rating, peers: PeerSummary | None) -> Rating:
    return assess_under(p, review(M, supervisor), PLAN, None, peers, unit_code=UNIT).behaviour


@pytest.mark.parametrize("supervisor", list(Rating))
@pytest.mark.parametrize("score", [1.0, 2.49, 3.0, 3.5, 5.0])
def test_at_weight_zero_the_supervisor_alone_rates_behaviour(
    supervisor: Rating, score: float
) -> None:
    a = assess_under(policy(0), review(M, supervisor), PLAN, None, peers_at(score), unit_code=UNIT)
    assert a.behaviour is supervisor
    assert a.behaviour_by_supervisor is None and a.peer_score is None


@pytest.mark.parametrize("supervisor", list(Rating))
@pytest.mark.parametrize(
    ("score", "expected"),
    [(1.0, B), (2.49, B), (2.5, M), (3.49, M), (3.5, A), (5.0, A)],
)
def test_at_weight_one_the_peers_alone_rate_it_thresholds_included(
    supervisor: Rating, score: float, expected: Rating
) -> None:
    a = assess_under(policy(1), review(M, supervisor), PLAN, None, peers_at(score), unit_code=UNIT)
    assert a.behaviour is expected
    assert a.behaviour_by_supervisor is supervisor and a.peer_score == score


@pytest.mark.parametrize(
    ("supervisor", "score", "expected"),
    [
        # Bukittinggi's 30%: the supervisor's "meets" (3) is lifted from a peers' 4.67...
        (M, 4.67, A),  # 0.7 * 3 + 0.3 * 4.67 = 3.501
        (M, 4.66, M),  # 3.498
        # ... lowered under 1.34; "above" (4) falls under 2.34, "below" (2) rises from 3.67.
        (M, 1.33, B),  # 2.499
        (M, 1.34, M),  # 2.502
        (A, 2.33, M),  # 3.499
        (A, 2.34, A),  # 3.502
        (B, 3.67, M),  # 2.501
        (B, 3.66, B),  # 2.498
    ],
)
def test_bukittinggi_weighs_peers_at_thirty_percent(
    supervisor: Rating, score: float, expected: Rating
) -> None:
    bukittinggi = preset("bukittinggi")
    assert bukittinggi.peer.behaviour_weight == 0.3
    assert behaviour(bukittinggi, supervisor, peers_at(score)) is expected


def test_exactly_on_a_weighted_threshold_is_the_better_rating() -> None:
    # 0.5 * 3 + 0.5 * 4 = 3.5 and 0.5 * 3 + 0.5 * 2 = 2.5: a half goes to the employee.
    assert behaviour(policy(0.5), M, peers_at(4.0)) is A
    assert behaviour(policy(0.5), M, peers_at(2.0)) is M
    assert weigh(3.0, 4.0, 0.5) == 3.5 and rating_of(3.5) is A and rating_of(2.5) is M
    assert weigh_ratings(M, A, 0.5) is A and weigh_ratings(M, B, 0.5) is M


def test_a_policy_sets_its_own_thresholds() -> None:
    strict = policy(1, above_from=4.0, below_under=3.0)
    assert behaviour(strict, M, peers_at(3.99)) is M
    assert behaviour(strict, M, peers_at(4.0)) is A
    assert behaviour(strict, M, peers_at(2.99)) is B
    assert behaviour(strict, M, peers_at(3.0)) is M


def test_an_uncounted_result_leaves_the_supervisor_alone() -> None:
    # Two of three answered: the quorum, but under the anonymity threshold, so no means.
    few = summarise_peers(
        [PeerFeedback(scores=dict.fromkeys(TWO, 1))] * 2,
        invited=3,
        quorum=2,
        anonymity_threshold=3,
        aspects=TWO,
    )
    assert few.quorum_met and not few.counted
    a = assess_under(policy(1), review(M, A), PLAN, None, few, unit_code=UNIT)
    assert a.behaviour is A and a.peer_score is None and a.behaviour_by_supervisor is None
    assert assess_under(policy(1), review(M, A), PLAN, None, None, unit_code=UNIT).behaviour is A


def test_peers_count_only_where_the_policy_asks_them() -> None:
    off = Policy(name="uji", title="uji", peer=PeerPolicy(enabled=False, behaviour_weight=1))
    assert behaviour(off, A, peers_at(1.0)) is A


def test_the_community_cap_applies_after_the_peers() -> None:
    p = Policy.model_validate(
        {
            "name": "uji",
            "title": "uji",
            "peer": {"enabled": True, "aspects": TWO, "behaviour_weight": 1},
            "community": {"enabled": True, "floor": 3.5},
        }
    )
    a = assess_under(p, review(A, B), PLAN, 3.0, peers_at(5.0), unit_code=UNIT)
    assert (a.behaviour, a.behaviour_capped, a.grade) == (M, True, Grade.BAIK)
    assert a.behaviour_by_supervisor is B and a.peer_score == 5.0


def test_a_weighted_grade_follows_the_matrix() -> None:
    # Results above; the supervisor rated behaviour above, the peers' 1.0 at 30% makes it meets.
    a = assess_under(preset("bukittinggi"), review(A, A), PLAN, None, peers_at(1.0), unit_code=UNIT)
    assert (a.behaviour, a.grade) == (M, Grade.BAIK)
    assert assess_under(
        preset("bukittinggi"), review(A, A), PLAN, None, None, unit_code=UNIT
    ).grade is (Grade.SANGAT_BAIK)


def test_a_policy_stored_without_the_settings_decides_as_before() -> None:
    stored = {"name": "lama", "title": "lama", "peer": {"enabled": True}}
    p = Policy.model_validate(stored)
    assert p.peer.behaviour_weight == 0
    assert [a.value for a in p.peer.aspects] == [
        "berorientasi_pelayanan",
        "akuntabel",
        "kompeten",
        "harmonis",
        "loyal",
        "adaptif",
        "kolaboratif",
    ]
    assert behaviour(p, A, peers_at(1.0)) is A
    # Every preset but Bukittinggi keeps the peers out of the rating.
    weighted = {n for n, q in PRESETS.items() if q.peer.behaviour_weight > 0}
    assert weighted == {"bukittinggi"}


@pytest.mark.parametrize(
    ("peer", "message"),
    [
        ({"behaviour_weight": -0.01}, "peer.behaviour_weight"),
        ({"behaviour_weight": 1.01}, "peer.behaviour_weight"),
        ({"above_from": 3.0}, "peer.above_from"),  # a supervisor's "meets" would be above
        ({"above_from": 4.01}, "peer.above_from"),  # ... and "above" would not be
        ({"below_under": 2.0}, "peer.below_under"),
        ({"below_under": 3.01}, "peer.below_under"),
        ({"aspects": []}, "peer.aspects"),
        ({"aspects": ["kolaboratif", "kolaboratif"]}, "asked twice: \\['kolaboratif'\\]"),
        ({"aspects": ["komunikatif"]}, "peer.aspects"),
    ],
)
def test_bad_peer_settings_are_refused_by_name(peer: dict[str, object], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        Policy.model_validate({"name": "uji", "title": "uji", "peer": peer})


@pytest.mark.parametrize("weight", [0, 1])
def test_the_weight_takes_its_bounds(weight: float) -> None:
    assert policy(weight).peer.behaviour_weight == weight


def test_bukittinggi_asks_about_collaboration_and_communication() -> None:
    assert preset("bukittinggi").peer.aspects == TWO
