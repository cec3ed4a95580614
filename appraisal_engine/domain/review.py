"""The supervisor's review and the grade it yields."""

from __future__ import annotations

from pydantic import Field

from appraisal_engine.domain.blend import SCALE, rating_of, weigh, weigh_ratings
from appraisal_engine.domain.curve import UnitRating
from appraisal_engine.domain.errors import DomainError, Filler
from appraisal_engine.domain.indicators import IndicatorSummary
from appraisal_engine.domain.judging import PeerPolicy
from appraisal_engine.domain.model import Value
from appraisal_engine.domain.peer import PeerSummary
from appraisal_engine.domain.periodic import YearGrade, year_grade
from appraisal_engine.domain.policy import Policy
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
    process_ratings: dict[str, Rating] = Field(
        default_factory=dict,
        examples=[{"T1": "meets", "T2": "below"}],
        description="how each target's result was reached, where the policy appraises process",
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
    results_alone: Rating | None = Field(
        default=None,
        description=(
            "the results rating from the targets' results alone, when the process weighed in "
            "or discipline and attendance stood beside them"
        ),
    )
    indicators: IndicatorSummary | None = Field(
        default=None,
        description="the year's discipline and attendance, where the policy keeps them",
    )
    results_from_unit: UnitRating | None = Field(
        default=None,
        description="the unit's rating the results were taken from (its head, under a policy "
        "with unit_head_results)",
    )
    review_grade: Grade | None = Field(
        default=None, description="the review's own grade, when the periods moved the year's"
    )
    period_grades: list[Grade] = Field(
        default_factory=list, description="the rated periods' grades the year's grade followed"
    )


def check_review(review: Review, plan: TargetPlan, *, process: bool = False) -> None:
    """Every target of the plan and every dimension must be rated, and nothing else; where the
    policy appraises process, every target's process too."""
    missing = [i for i in plan.ids if i not in review.target_ratings]
    extra = [i for i in review.target_ratings if i not in plan.ids]
    if missing:
        raise DomainError(
            "no rating for targets %(targets)s", field="target_ratings", values=_ids(missing)
        )
    if extra:
        raise DomainError("unknown targets %(targets)s", field="target_ratings", values=_ids(extra))
    undimmed = [d.value for d in Dimension if d not in review.behaviour_ratings]
    if undimmed:
        raise DomainError(
            "no rating for %(values)s", field="behaviour_ratings", values={"values": str(undimmed)}
        )
    if not process:
        if review.process_ratings:
            raise DomainError("this policy does not appraise the process", field="process_ratings")
        return
    unrated = [i for i in plan.ids if i not in review.process_ratings]
    if unrated:
        raise DomainError(
            "this policy appraises how each result was reached: no process rating for targets "
            "%(targets)s",
            field="process_ratings",
            values=_ids(unrated),
        )
    stray = [i for i in review.process_ratings if i not in plan.ids]
    if stray:
        raise DomainError(
            "unknown targets %(targets)s", field="process_ratings", values=_ids(stray)
        )


def _ids(ids: list[str]) -> dict[str, Filler]:
    return {"targets": str(ids)}


def assess(
    review: Review,
    plan: TargetPlan,
    *,
    few_main_below_share: float,
    behaviour_cap: Rating | None = None,
    peer_score: float | None = None,
    peer_rules: PeerPolicy | None = None,
    process_weight: float | None = None,
    indicators: IndicatorSummary | None = None,
) -> Assessment:
    """Rate results (each target's process weighed in, where a policy appraises process, and
    discipline and attendance standing beside the main targets, where it keeps them) and
    behaviour, weigh the peers' result into behaviour (a policy's weight), apply any behaviour
    cap (community feedback), grade."""
    check_review(review, plan, process=process_weight is not None)
    mains = plan.main_ids()
    results = rate_results(
        ((review.target_ratings[i], i in mains) for i in plan.ids),
        few_main_below_share=few_main_below_share,
    )
    results_alone: Rating | None = None
    standards = indicators.standards() if indicators is not None else []
    if process_weight or standards:
        # Each target's result and its process are weighed into one rating before the rule
        # that makes one results rating of the targets.
        results_alone = results
        results = rate_results(
            (
                (
                    weigh_ratings(
                        review.target_ratings[i], review.process_ratings[i], process_weight
                    )
                    if process_weight
                    else review.target_ratings[i],
                    i in mains,
                )
                for i in plan.ids
            ),
            few_main_below_share=few_main_below_share,
            standards=standards,
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
        results_alone=results_alone,
        indicators=indicators,
    )


def assess_under(
    policy: Policy,
    review: Review,
    plan: TargetPlan,
    community_score: float | None,
    peers: PeerSummary | None = None,
    *,
    unit_code: str,
    indicators: IndicatorSummary | None = None,
    unit_rating: UnitRating | None = None,
) -> Assessment:
    """Assess a review of someone in `unit_code` under a policy: each target's process weighs
    into its result where the policy appraises process; the peers' result weighs into behaviour
    by the policy's weight once it counts (PeerSummary.counted); the year's discipline and
    attendance (`indicators`) stand beside the main targets where the policy keeps them;
    behaviour is capped when the policy uses community feedback, the unit serves citizens, and
    its score is under the floor; and for a unit's head (`unit_rating` given) under a policy
    with `unit_head_results`, the results rating is the unit's, mapped."""
    rules = policy.community
    below = (
        rules.enabled
        and community_score is not None
        and community_score < rules.floor
        and rules.serves_citizens(unit_code)
    )
    peer_score = peers.score() if policy.peer.enabled and peers is not None else None
    assessment = assess(
        review,
        plan,
        few_main_below_share=policy.few_main_below_share,
        behaviour_cap=rules.cap_below_floor if below else None,
        peer_score=peer_score,
        peer_rules=policy.peer,
        process_weight=policy.process.weight if policy.process.enabled else None,
        indicators=indicators if policy.indicators.enabled else None,
    )
    mapping = policy.unit_head_results
    if mapping is None or unit_rating is None:
        return assessment
    results = mapping[unit_rating]
    return assessment.model_copy(
        update={
            "results": results,
            "grade": grade_for(results, assessment.behaviour),
            "results_from_unit": unit_rating,
        }
    )


def assess_year(
    policy: Policy,
    review: Review,
    plan: TargetPlan,
    community_score: float | None,
    period_grades: list[Grade],
    peers: PeerSummary | None = None,
    *,
    unit_code: str,
    indicators: IndicatorSummary | None = None,
    unit_rating: UnitRating | None = None,
) -> Assessment:
    """Assess the year-end review under a policy (see assess_under), the year's grade
    following the rated periods where the policy's `periodic.year_grade` says so."""
    assessment = assess_under(
        policy,
        review,
        plan,
        community_score,
        peers,
        unit_code=unit_code,
        indicators=indicators,
        unit_rating=unit_rating,
    )
    rule = policy.periodic.year_grade
    if rule is YearGrade.FINAL_REVIEW or not period_grades:
        return assessment
    grade = year_grade(assessment.grade, period_grades, rule)
    return assessment.model_copy(
        update={
            "grade": grade,
            "review_grade": assessment.grade,
            "period_grades": list(period_grades),
        }
    )
