"""Binjai's rules: how each result was reached is appraised beside it and weighs into the
target's rating by a policy weight; citizens' scores apply to the units that serve citizens,
as the policy lists them, and never to a back office."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from appraisal_engine.domain.errors import DomainError
from appraisal_engine.domain.judging import CommunityPolicy, ProcessPolicy
from appraisal_engine.domain.policy import Policy
from appraisal_engine.domain.presets import PRESETS, preset
from appraisal_engine.domain.ratings import Grade, Rating
from appraisal_engine.domain.review import assess_under, check_review
from appraisal_engine.simulator.scripted import PLAN, review

A, M, B = Rating.ABOVE, Rating.MEETS, Rating.BELOW
UNIT = "DISDUKCAPIL"


def with_process(weight: float, enabled: bool = True) -> Policy:
    return Policy(name="uji", title="uji", process=ProcessPolicy(enabled=enabled, weight=weight))


def results(p: Policy, result: Rating, process: Rating) -> Rating:
    return assess_under(p, review(result, M, process=process), PLAN, None, unit_code=UNIT).results


# --- the process ---------------------------------------------------------------------------------


@pytest.mark.parametrize("result", list(Rating))
@pytest.mark.parametrize("process", list(Rating))
def test_at_weight_zero_the_process_is_rated_and_decides_nothing(
    result: Rating, process: Rating
) -> None:
    a = assess_under(
        with_process(0), review(result, M, process=process), PLAN, None, unit_code=UNIT
    )
    assert a.results is result and a.results_alone is None


@pytest.mark.parametrize("result", list(Rating))
@pytest.mark.parametrize("process", list(Rating))
def test_at_weight_one_the_process_alone_rates_the_results(result: Rating, process: Rating) -> None:
    a = assess_under(
        with_process(1), review(result, M, process=process), PLAN, None, unit_code=UNIT
    )
    assert a.results is process
    assert a.results_alone is result


@pytest.mark.parametrize(
    ("result", "process", "expected"),
    [
        # Binjai's 40%: the result keeps the larger part. A result one step from its process
        # stays (4 * 0.6 + 3 * 0.4 = 3.6); two steps apart meet in the middle.
        (A, M, A),
        (A, B, M),  # 2.4 + 0.8 = 3.2
        (M, A, M),  # 1.8 + 1.6 = 3.4
        (M, B, M),  # 1.8 + 0.8 = 2.6
        (B, A, M),  # 1.2 + 1.6 = 2.8
        (B, M, B),  # 1.2 + 1.2 = 2.4
    ],
)
def test_binjai_weighs_the_process_at_forty_percent(
    result: Rating, process: Rating, expected: Rating
) -> None:
    assert preset("binjai").process == ProcessPolicy(enabled=True, weight=0.4)
    assert results(preset("binjai"), result, process) is expected


def test_exactly_halfway_a_target_takes_the_better_rating() -> None:
    assert results(with_process(0.5), M, A) is A  # 3.5
    assert results(with_process(0.5), M, B) is M  # 2.5
    assert results(with_process(0.5), A, B) is M  # 3.0


def test_a_poor_process_changes_the_grade() -> None:
    # Results above, process below on every target, behaviour above: Sangat Baik on results
    # alone, Baik with Binjai's process weighed in.
    p = preset("binjai")
    a = assess_under(p, review(A, A, process=B), PLAN, None, unit_code=UNIT)
    assert (a.results_alone, a.results, a.grade) == (A, M, Grade.BAIK)
    alone = assess_under(PRESETS["national"], review(A, A), PLAN, None, unit_code=UNIT)
    assert alone.grade is Grade.SANGAT_BAIK


def test_a_process_policy_needs_every_target_rated_and_nothing_else() -> None:
    check_review(review(M, M, process=M), PLAN, process=True)
    partial = review(M, M).model_copy(update={"process_ratings": {"T1": M, "T2": M}})
    with pytest.raises(DomainError, match=r"no process rating for targets \['T3'\]") as e:
        check_review(partial, PLAN, process=True)
    assert e.value.field == "process_ratings"
    stray = review(M, M, process=M).model_copy(
        update={"process_ratings": {"T1": M, "T2": M, "T3": M, "T9": M}}
    )
    with pytest.raises(DomainError, match=r"unknown targets \['T9'\]"):
        check_review(stray, PLAN, process=True)
    # A policy that does not appraise process takes no process ratings.
    with pytest.raises(DomainError, match="does not appraise the process") as e:
        check_review(review(M, M, process=M), PLAN, process=False)
    assert e.value.field == "process_ratings"
    check_review(review(M, M), PLAN, process=False)


def test_a_disabled_process_ignores_its_weight() -> None:
    off = with_process(1, enabled=False)
    a = assess_under(off, review(A, M), PLAN, None, unit_code=UNIT)
    assert a.results is A and a.results_alone is None


@pytest.mark.parametrize("weight", [-0.01, 1.01])
def test_the_process_weight_is_refused_outside_zero_to_one(weight: float) -> None:
    with pytest.raises(ValidationError, match=r"process\.weight"):
        Policy.model_validate(
            {"name": "uji", "title": "uji", "process": {"enabled": True, "weight": weight}}
        )


# --- the units that serve citizens ---------------------------------------------------------------


def community(units: list[str] | None) -> Policy:
    rules = CommunityPolicy(enabled=True, floor=3.5, service_units=units)
    return Policy(name="uji", title="uji", community=rules)


def capped(p: Policy, unit: str, score: float | None) -> bool:
    return assess_under(p, review(A, A), PLAN, score, unit_code=unit).behaviour_capped


def test_a_service_unit_is_capped_and_a_back_office_is_not() -> None:
    p = community(["DISDUKCAPIL", "PKM-*"])
    assert capped(p, "DISDUKCAPIL", 3.49)
    assert not capped(p, "DISDUKCAPIL", 3.5)  # exactly at the floor: not under it
    assert capped(p, "PKM-SUKAMAJU", 1.0)  # a prefix names every puskesmas
    assert not capped(p, "BKPSDM", 1.0)  # the personnel office serves no citizens
    assert not capped(p, "PKM", 1.0)  # the prefix is "PKM-", not "PKM"
    assert capped(p, "disdukcapil", 1.0)  # codes match whatever their case


def test_without_a_list_every_unit_is_capped_as_before() -> None:
    p = community(None)
    assert capped(p, "BKPSDM", 1.0) and capped(p, "DISDUKCAPIL", 1.0)
    stored = Policy.model_validate(
        {"name": "lama", "title": "lama", "community": {"enabled": True}}
    )
    assert stored.community.service_units is None and stored.process == ProcessPolicy()
    assert stored.community.serves_citizens("SETDA")


def test_binjai_lists_its_service_offices_not_its_back_offices() -> None:
    rules = preset("binjai").community
    for unit in ("DISDUKCAPIL", "DUKCAPIL", "DPMPTSP", "RSUD", "PKM-LAU_CIMBA", "KEC-SIDOMULYO"):
        assert rules.serves_citizens(unit), unit
    for unit in ("SETDA", "SETWAN", "BAPPEDA", "BKPSDM", "BPKAD", "INSPEKTORAT"):
        assert not rules.serves_citizens(unit), unit


@pytest.mark.parametrize(
    ("units", "message"),
    [
        ([], "community.service_units"),  # list one at least, or leave the setting out
        (["PKM-*-X"], "community.service_units.0"),
        (["*"], "community.service_units.0"),
        (["DIS DIK"], "community.service_units.0"),
    ],
)
def test_bad_service_units_are_refused_by_name(units: list[str], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        Policy.model_validate(
            {"name": "uji", "title": "uji", "community": {"enabled": True, "service_units": units}}
        )
