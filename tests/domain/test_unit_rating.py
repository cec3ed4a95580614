"""Who heads each unit and which official one level up decides its rating."""

from __future__ import annotations

from appraisal_engine.domain.roster import Roster
from appraisal_engine.domain.unit_rating import unit_raters
from appraisal_engine.simulator.roster import generate_roster

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
