"""Who heads each unit and which official one level up decides its rating; a head's results
taken from the unit's rating under a policy's unit_head_results."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from appraisal_engine.domain.curve import UnitRating
from appraisal_engine.domain.policy import Policy
from appraisal_engine.domain.presets import NATIONAL
from appraisal_engine.domain.ratings import Rating, grade_for
from appraisal_engine.domain.review import assess_under
from appraisal_engine.domain.roster import Roster
from appraisal_engine.domain.unit_rating import UNIT_HEAD_RESULTS, unit_raters
from appraisal_engine.simulator.roster import generate_roster
from appraisal_engine.simulator.scripted import PLAN
from appraisal_engine.simulator.scripted import review as scripted_review

REGIONAL_HEAD = "196501011990031001"


def test_a_head_at_the_top_is_rated_by_the_regional_head() -> None:
    employees = generate_roster(30, units=3, seed=2)
    roster = Roster(employees=employees, top_appraiser_nip=REGIONAL_HEAD)
    heads = {e.unit_code: e.nip for e in employees if e.supervisor_nip is None}
    raters = unit_raters(roster)
    assert set(raters) == set(heads)
    for unit, rater in raters.items():
        assert rater.head_nip == heads[unit] and rater.rater_nip == REGIONAL_HEAD


def test_a_unit_under_another_is_rated_by_its_heads_supervisor() -> None:
    # A Puskesmas under the Dinas Kesehatan: its head reports to the Dinas' head.
    employees = generate_roster(30, units=3, seed=2)
    tops = sorted((e for e in employees if e.supervisor_nip is None), key=lambda e: e.nip)
    upper, lower = tops[0], tops[1]
    moved = [
        e.model_copy(update={"supervisor_nip": upper.nip}) if e.nip == lower.nip else e
        for e in employees
    ]
    raters = unit_raters(Roster(employees=moved, top_appraiser_nip=REGIONAL_HEAD))
    assert raters[lower.unit_code].head_nip == lower.nip
    assert raters[lower.unit_code].rater_nip == upper.nip
    assert raters[upper.unit_code].rater_nip == REGIONAL_HEAD


def test_of_two_members_reporting_outside_the_unit_the_higher_one_heads_it() -> None:
    # A staff member of unit A seconded under unit B's head does not head A: A's own head,
    # higher in the tree, does.
    employees = generate_roster(30, units=3, seed=2)
    tops = sorted((e for e in employees if e.supervisor_nip is None), key=lambda e: e.nip)
    a, b = tops[0], tops[1]
    staff = next(e for e in employees if e.unit_code == a.unit_code and e.supervisor_nip == a.nip)
    moved = [
        e.model_copy(update={"supervisor_nip": b.nip}) if e.nip == staff.nip else e
        for e in employees
    ]
    raters = unit_raters(Roster(employees=moved, top_appraiser_nip=REGIONAL_HEAD))
    assert raters[a.unit_code].head_nip == a.nip
    assert raters[a.unit_code].rater_nip == REGIONAL_HEAD


@pytest.mark.parametrize(
    ("unit", "results"),
    [
        (UnitRating.ISTIMEWA, Rating.ABOVE),
        (UnitRating.BAIK, Rating.MEETS),
        (UnitRating.BUTUH_PERBAIKAN, Rating.BELOW),
        (UnitRating.KURANG, Rating.BELOW),
        (UnitRating.SANGAT_KURANG, Rating.BELOW),
    ],
)
def test_a_heads_results_are_the_units_rating_mapped(unit: UnitRating, results: Rating) -> None:
    policy = NATIONAL.model_copy(update={"unit_head_results": UNIT_HEAD_RESULTS})
    for targets in Rating:  # whatever the head's targets were rated
        review = scripted_review(targets, Rating.ABOVE)
        got = assess_under(policy, review, PLAN, None, unit_code="DISDIK", unit_rating=unit)
        assert got.results is results and got.results_from_unit is unit
        assert got.grade is grade_for(results, Rating.ABOVE)


def test_without_the_setting_or_the_units_rating_the_targets_decide() -> None:
    review = scripted_review(Rating.ABOVE, Rating.ABOVE)
    plain = assess_under(NATIONAL, review, PLAN, None, unit_code="DISDIK")
    assert NATIONAL.unit_head_results is None  # off unless a policy sets it
    assert (
        assess_under(
            NATIONAL, review, PLAN, None, unit_code="DISDIK", unit_rating=UnitRating.SANGAT_KURANG
        )
        == plain
    )
    policy = NATIONAL.model_copy(update={"unit_head_results": UNIT_HEAD_RESULTS})
    assert (
        assess_under(policy, review, PLAN, None, unit_code="DISDIK", unit_rating=None) == plain
    )  # not a head
    assert plain.results is Rating.ABOVE and plain.results_from_unit is None


def test_a_policy_maps_every_unit_rating_or_is_refused() -> None:
    data = NATIONAL.model_dump(mode="json")
    partial = {UnitRating.ISTIMEWA.value: "above"}
    with pytest.raises(ValidationError, match="unit_head_results: missing unit ratings"):
        Policy.model_validate({**data, "unit_head_results": partial})
    whole = {r.value: v.value for r, v in UNIT_HEAD_RESULTS.items()}
    assert Policy.model_validate({**data, "unit_head_results": whole}).unit_head_results == (
        UNIT_HEAD_RESULTS
    )
    stored = {k: v for k, v in data.items() if k != "unit_head_results"}
    assert Policy.model_validate(stored).unit_head_results is None  # a running cycle's policy
