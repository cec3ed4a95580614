"""Whether a cycle can run: refused up front, naming the policy field to set."""

from __future__ import annotations

import pytest

from appraisal_engine.domain.launch import LaunchRefused, check_launch, check_policy, launch_roster
from appraisal_engine.domain.presets import BINJAI, PRESETS
from appraisal_engine.domain.roster import validate_roster
from appraisal_engine.simulator.roster import generate_roster

REGIONAL_HEAD = "196501011990011001"
APPEALS_OFFICER = "196601011985031001"
OFFICER = {"appeals_officer_nip": APPEALS_OFFICER}
EMPLOYEES = generate_roster(12, units=2, seed=4)


def test_every_preset_lacks_a_regional_head_and_an_appeals_officer_until_named() -> None:
    for policy in PRESETS.values():
        with pytest.raises(LaunchRefused) as err:
            check_policy(policy)
        assert err.value.field == "regional_head_nip" and err.value.kind == "PolicyIncomplete"
        headed = policy.model_copy(update={"regional_head_nip": REGIONAL_HEAD})
        with pytest.raises(LaunchRefused) as err:
            check_policy(headed)
        assert err.value.field == "appeals_officer_nip" and err.value.kind == "PolicyIncomplete"
        check_policy(headed.model_copy(update=OFFICER))


def test_a_regional_head_that_is_no_nip_is_refused() -> None:
    with pytest.raises(LaunchRefused) as err:
        check_policy(BINJAI.model_copy(update={"regional_head_nip": "kepala-daerah"}))
    assert err.value.field == "regional_head_nip" and "18 digits" in str(err.value)


def test_a_roster_launches_under_a_policy_naming_a_regional_head_outside_it() -> None:
    named = BINJAI.model_copy(update={"regional_head_nip": REGIONAL_HEAD, **OFFICER})
    roster = launch_roster(EMPLOYEES, named)
    assert roster.top_appraiser_nip == REGIONAL_HEAD and len(roster.employees) == 12

    with pytest.raises(LaunchRefused) as err:
        launch_roster(EMPLOYEES, BINJAI)
    assert err.value.field == "regional_head_nip"

    inside = BINJAI.model_copy(update={"regional_head_nip": EMPLOYEES[0].nip, **OFFICER})
    with pytest.raises(LaunchRefused) as err:
        launch_roster(EMPLOYEES, inside)
    assert err.value.field == "regional_head_nip" and err.value.kind == "RosterInvalid"
    assert str(err.value).startswith(f"regional_head_nip: {EMPLOYEES[0].nip} is in the roster")

    with pytest.raises(LaunchRefused) as err:
        launch_roster([], named)
    assert err.value.field == "roster_id" and err.value.kind == "RosterNotFound"


def test_the_cycle_plan_applies_the_same_rule() -> None:
    rows = [e.model_dump(mode="json") for e in EMPLOYEES]
    with pytest.raises(LaunchRefused) as err:
        check_launch(validate_roster(rows), APPEALS_OFFICER)  # valid alone; not as a launch
    assert err.value.field == "regional_head_nip"
    headed = validate_roster(rows, top_appraiser_nip=REGIONAL_HEAD)
    with pytest.raises(LaunchRefused) as err:
        check_launch(headed, None)  # the heads at the top would appeal to their own appraiser
    assert err.value.field == "appeals_officer_nip"
    heads = [e.nip for e in EMPLOYEES if e.supervisor_nip is None]
    assert heads and all(nip in str(err.value) for nip in heads)
    check_launch(headed, APPEALS_OFFICER)
