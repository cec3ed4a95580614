"""The supervisor's review and the grade it yields."""

from __future__ import annotations

from pydantic import Field

from appraisal_engine.domain.blend import SCALE, rating_of, weigh
from appraisal_engine.domain.errors import DomainError
from appraisal_engine.domain.model import Value
from appraisal_engine.domain.peer import PeerSummary
from appraisal_engine.domain.policy import PeerPolicy, Policy
from appraisal_engine.domain.ratings import (
    Dimension,
    Grade,
    Rating,
    grade_for,
    rate_behaviour,
    rate_results,
)
from appraisal_engine.domain.targets import TargetPlan


class Review(Value):
    """Ratings of every target's result and of every BerAKHLAK dimension."""

    target_ratings: dict[str, Rating] = Field(examples=[{"T1": "meets", "T2": "above"}])
    behaviour_ratings: dict[Dimension, Rating] = Field(
        examples=[{d.value: "meets" for d in Dimension}]
    )
    comment: str = Field(default="", max_length=4000)


class Assessment(Value):
    """What a review computes: both ratings and the matrix grade."""

    results: Rating
    behaviour: Rating
    grade: Grade
    behaviour_capped: bool = False
    behaviour_by_supervisor: Rating | None = Field(
        default=None, description="the supervisor's own behaviour rating, when peers weighed in"
    )
    peer_score: float | None = Field(
        default=None, description="the peers' result (1-5) weighed into behaviour, if it was"
    )


def check_review(review: Review, plan: TargetPlan) -> None:
    """Every target of the plan and every dimension must be rated, and nothing else."""
    missing = [i for i in plan.ids if i not in review.target_ratings]
    extra = [i for i in review.target_ratings if i not in plan.ids]
    if missing:
        raise DomainError(f"no rating for targets {missing}", field="target_ratings")
    if extra:
        raise DomainError(f"unknown targets {extra}", field="target_ratings")
    undimmed = [d.value for d in Dimension if d not in review.behaviour_ratings]
    if undimmed:
        raise DomainError(f"no rating for {undimmed}", field="behaviour_ratings")


def assess(
    review: Review,
    plan: TargetPlan,
    *,
    few_main_below_share: float,
    behaviour_cap: Rating | None = None,
    peer_score: float | None = None,
    peer_rules: PeerPolicy | None = None,
) -> Assessment:
    """Rate results and behaviour, weigh the peers' result into behaviour (a policy's weight),
    apply any behaviour cap (community feedback), grade."""
    check_review(review, plan)
    mains = plan.main_ids()
    results = rate_results(
        ((review.target_ratings[i], i in mains) for i in plan.ids),
        few_main_below_share=few_main_below_share,
    )
    behaviour = rate_behaviour(
        (review.behaviour_ratings[d] for d in Dimension), few_below_share=few_main_below_share
    )
    by_supervisor: Rating | None = None
    if peer_score is not None and peer_rules is not None and peer_rules.behaviour_weight > 0:
        by_supervisor = behaviour
        score = weigh(SCALE[behaviour], peer_score, peer_rules.behaviour_weight)
        behaviour = rating_of(
            score, above_from=peer_rules.above_from, below_under=peer_rules.below_under
        )
    order = [Rating.BELOW, Rating.MEETS, Rating.ABOVE]
    capped = behaviour_cap is not None and order.index(behaviour) > order.index(behaviour_cap)
    if capped and behaviour_cap is not None:
        behaviour = behaviour_cap
    return Assessment(
        results=results,
        behaviour=behaviour,
        grade=grade_for(results, behaviour),
        behaviour_capped=capped,
        behaviour_by_supervisor=by_supervisor,
        peer_score=peer_score if by_supervisor is not None else None,
    )


def assess_under(
    policy: Policy,
    review: Review,
    plan: TargetPlan,
    community_score: float | None,
    peers: PeerSummary | None = None,
) -> Assessment:
    """Assess a review under a policy: the peers' result weighs into behaviour by the policy's
    weight once it counts (PeerSummary.counted), and behaviour is capped when the policy uses
    community feedback and the unit's score is under its floor."""
    rules = policy.community
    below = rules.enabled and community_score is not None and community_score < rules.floor
    peer_score = peers.score() if policy.peer.enabled and peers is not None else None
    return assess(
        review,
        plan,
        few_main_below_share=policy.few_main_below_share,
        behaviour_cap=rules.cap_below_floor if below else None,
        peer_score=peer_score,
        peer_rules=policy.peer,
    )
