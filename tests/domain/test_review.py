"""The supervisor's review and the assessment it yields."""

from __future__ import annotations

import pytest

from appraisal_engine.domain.errors import DomainError
from appraisal_engine.domain.ratings import Dimension, Grade, Rating
from appraisal_engine.domain.review import Assessment, Review, assess, check_review
from appraisal_engine.domain.targets import Target, TargetKind, TargetPlan

A, M, B = Rating.ABOVE, Rating.MEETS, Rating.BELOW


def _target(id: str, kind: TargetKind = TargetKind.UTAMA) -> Target:
    return Target(
        id=id,
        rhk=f"Hasil kerja {id}",
        iki=f"Indikator {id}",
        target_value=10,
        target_unit="dokumen",
        kind=kind,
        parent_id="S1" if kind is TargetKind.UTAMA else None,
    )


PLAN = TargetPlan(
    targets=[_target("T1"), _target("T2"), _target("T3"), _target("X1", TargetKind.TAMBAHAN)]
)


def review(
    t1: Rating = M,
    t2: Rating = M,
    t3: Rating = M,
    x1: Rating = M,
    behaviour: Rating = M,
    **dims: Rating,
) -> Review:
    return Review(
        target_ratings={"T1": t1, "T2": t2, "T3": t3, "X1": x1},
        behaviour_ratings={d: behaviour for d in Dimension}
        | {Dimension(k): v for k, v in dims.items()},
    )


def test_complete_review_passes() -> None:
    check_review(review(), PLAN)


def test_missing_target_rating_is_named() -> None:
    r = Review(target_ratings={"T1": M, "X1": M}, behaviour_ratings={d: M for d in Dimension})
    with pytest.raises(DomainError) as info:
        check_review(r, PLAN)
    assert info.value.field == "target_ratings"
    assert "['T2', 'T3']" in info.value.reason


def test_extra_target_rating_is_named() -> None:
    r = Review(
        target_ratings={"T1": M, "T2": M, "T3": M, "X1": M, "T9": A},
        behaviour_ratings={d: M for d in Dimension},
    )
    with pytest.raises(DomainError) as info:
        check_review(r, PLAN)
    assert info.value.field == "target_ratings"
    assert "unknown targets ['T9']" in info.value.reason


def test_missing_dimension_is_named() -> None:
    r = Review(
        target_ratings={"T1": M, "T2": M, "T3": M, "X1": M},
        behaviour_ratings={d: M for d in Dimension if d is not Dimension.LOYAL},
    )
    with pytest.raises(DomainError) as info:
        check_review(r, PLAN)
    assert info.value.field == "behaviour_ratings"
    assert "['loyal']" in info.value.reason


def test_assess_refuses_an_incomplete_review() -> None:
    r = Review(target_ratings={"T1": M}, behaviour_ratings={d: M for d in Dimension})
    with pytest.raises(DomainError):
        assess(r, PLAN, few_main_below_share=0.34)


@pytest.mark.parametrize(
    ("r", "expected"),
    [
        (review(), Assessment(results=M, behaviour=M, grade=Grade.BAIK)),
        (
            review(A, A, A, M, behaviour=A),
            Assessment(results=A, behaviour=A, grade=Grade.SANGAT_BAIK),
        ),
        (
            review(A, A, A, A, behaviour=B),
            Assessment(results=A, behaviour=B, grade=Grade.KURANG),
        ),
        (
            review(B, B, M, M, behaviour=B),
            Assessment(results=B, behaviour=B, grade=Grade.SANGAT_KURANG),
        ),
        (
            review(B, B, M, M, behaviour=A),
            Assessment(results=B, behaviour=A, grade=Grade.BUTUH_PERBAIKAN),
        ),
        # An additional target below does not block "above" results.
        (
            review(A, A, A, B, behaviour=A),
            Assessment(results=A, behaviour=A, grade=Grade.SANGAT_BAIK),
        ),
        # One of three main targets below is "a few" under 0.34: results meet.
        (
            review(B, A, A, A, behaviour=M),
            Assessment(results=M, behaviour=M, grade=Grade.BAIK),
        ),
        # Two of seven values below is "a few": behaviour meets.
        (
            review(behaviour=A, loyal=B, adaptif=B),
            Assessment(results=M, behaviour=M, grade=Grade.BAIK),
        ),
        (
            review(behaviour=M, loyal=B, adaptif=B, harmonis=B),
            Assessment(results=M, behaviour=B, grade=Grade.KURANG),
        ),
    ],
)
def test_assess_rates_and_grades(r: Review, expected: Assessment) -> None:
    assert assess(r, PLAN, few_main_below_share=0.34) == expected


def test_few_share_is_the_policys() -> None:
    r = review(B, A, A, A, behaviour=M)
    assert assess(r, PLAN, few_main_below_share=0.34).results is M
    assert assess(r, PLAN, few_main_below_share=0.3).results is B


def test_behaviour_cap_lowers_above_to_meets() -> None:
    a = assess(review(A, A, A, A, behaviour=A), PLAN, few_main_below_share=0.34, behaviour_cap=M)
    assert a == Assessment(results=A, behaviour=M, grade=Grade.BAIK, behaviour_capped=True)


@pytest.mark.parametrize("behaviour", [M, B])
def test_behaviour_cap_leaves_behaviour_at_or_below_it(behaviour: Rating) -> None:
    a = assess(
        review(A, A, A, A, behaviour=behaviour), PLAN, few_main_below_share=0.34, behaviour_cap=M
    )
    assert a.behaviour is behaviour
    assert a.behaviour_capped is False


def test_behaviour_cap_below_turns_meets_into_misconduct_grade() -> None:
    a = assess(review(behaviour=M), PLAN, few_main_below_share=0.34, behaviour_cap=B)
    assert a == Assessment(results=M, behaviour=B, grade=Grade.KURANG, behaviour_capped=True)


def test_no_cap_leaves_behaviour_alone() -> None:
    a = assess(review(A, A, A, A, behaviour=A), PLAN, few_main_below_share=0.34)
    assert (a.behaviour, a.grade, a.behaviour_capped) == (A, Grade.SANGAT_BAIK, False)


def test_assess_under_caps_behaviour_only_below_the_community_floor() -> None:
    from appraisal_engine.domain.presets import PRESETS
    from appraisal_engine.domain.review import assess_under
    from appraisal_engine.simulator.scripted import PLAN
    from appraisal_engine.simulator.scripted import review as scripted_review

    binjai = PRESETS["binjai"]
    assert binjai.community.enabled
    floor = binjai.community.floor
    high = scripted_review(Rating.ABOVE, Rating.ABOVE, process=Rating.ABOVE)
    unit = "DISDUKCAPIL"  # a unit that serves citizens
    capped = assess_under(binjai, high, PLAN, floor - 0.01, unit_code=unit)
    assert capped.behaviour_capped and capped.behaviour is binjai.community.cap_below_floor
    for score in (floor, 5.0, None):  # at the floor, above it, or no score: no cap
        assert not assess_under(binjai, high, PLAN, score, unit_code=unit).behaviour_capped
    national = PRESETS["national"]  # community feedback off: a low score changes nothing
    assert not national.community.enabled
    national_review = scripted_review(Rating.ABOVE, Rating.ABOVE)
    assert not assess_under(national, national_review, PLAN, 1.0, unit_code=unit).behaviour_capped
