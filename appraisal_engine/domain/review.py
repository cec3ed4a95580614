"""The supervisor's review and the grade it yields."""

from __future__ import annotations

from pydantic import Field

from appraisal_engine.domain.curve import UnitRating
from appraisal_engine.domain.errors import DomainError
from appraisal_engine.domain.model import Value
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
    comment: str = Field(default="", max_length=4000)


class Assessment(Value):
    """What a review computes: both ratings and the matrix grade."""

    results: Rating
    behaviour: Rating
    grade: Grade
    behaviour_capped: bool = False
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
) -> Assessment:
    """Rate results and behaviour, apply any behaviour cap (community feedback), grade."""
    check_review(review, plan)
    mains = plan.main_ids()
    results = rate_results(
        ((review.target_ratings[i], i in mains) for i in plan.ids),
        few_main_below_share=few_main_below_share,
    )
    behaviour = rate_behaviour(
        (review.behaviour_ratings[d] for d in Dimension), few_below_share=few_main_below_share
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
    )


def assess_under(
    policy: Policy,
    review: Review,
    plan: TargetPlan,
    community_score: float | None,
    unit_rating: UnitRating | None = None,
) -> Assessment:
    """Assess a review under a policy: behaviour is capped when the policy uses community
    feedback and the unit's score is under its floor; for a unit's head (`unit_rating` given)
    under a policy with `unit_head_results`, the results rating is the unit's, mapped."""
    rules = policy.community
    below = rules.enabled and community_score is not None and community_score < rules.floor
    assessment = assess(
        review,
        plan,
        few_main_below_share=policy.few_main_below_share,
        behaviour_cap=rules.cap_below_floor if below else None,
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
    unit_rating: UnitRating | None = None,
) -> Assessment:
    """Assess the year-end review under a policy (see assess_under), the year's grade
    following the rated periods where the policy's `periodic.year_grade` says so."""
    assessment = assess_under(policy, review, plan, community_score, unit_rating)
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
