"""The curve's order: a lower-rated unit never allows more Sangat Baik than a higher-rated one,
checked where a policy comes in (a policy file, a launch), with the ratings named; a policy a
running cycle carries is read as it was launched."""

from __future__ import annotations

import json
from itertools import pairwise
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from appraisal_engine.domain.curve import NATIONAL_CURVE, CurveRule, UnitRating
from appraisal_engine.domain.curve_order import check_curve_order, sangat_baik_caps
from appraisal_engine.domain.curve_rounding import CurveRounding
from appraisal_engine.domain.errors import DomainError
from appraisal_engine.domain.launch import LaunchRefused, check_policy
from appraisal_engine.domain.policy import Policy, parse_policy
from appraisal_engine.domain.presets import NATIONAL, PRESETS
from appraisal_engine.domain.ratings import Grade

U = UnitRating
SB, BA = Grade.SANGAT_BAIK, Grade.BAIK
HEAD, OFFICER = "197001011995031001", "197101011996031002"
Curve = dict[UnitRating, list[CurveRule]]


def curve_with(rating: UnitRating, *rules: CurveRule) -> Curve:
    """The national curve with `rating`'s rules replaced."""
    return {**{k: list(v) for k, v in NATIONAL_CURVE.items()}, rating: list(rules)}


def cap(share: float, *grades: Grade) -> CurveRule:
    return CurveRule(grades=frozenset(grades or {SB}), max_share=share)


# The national curve as it was before Baik had a cap on Sangat Baik (and as cycles launched
# then carry it).
BEFORE = curve_with(U.BAIK, *(r for r in NATIONAL_CURVE[U.BAIK] if SB not in r.grades))


def refusal(curve: Curve) -> str:
    with pytest.raises(DomainError) as info:
        check_curve_order(curve)
    assert info.value.field == "curve"
    return str(info.value)


def test_the_national_curve_and_every_preset_are_in_order() -> None:
    check_curve_order(NATIONAL_CURVE)
    for policy in PRESETS.values():
        check_curve_order(policy.curve)
        assert policy.curve_rounding is CurveRounding.NEAREST
    assert sangat_baik_caps(NATIONAL_CURVE) == {
        U.ISTIMEWA: 0.70,
        U.BAIK: 0.70,
        U.BUTUH_PERBAIKAN: 0.10,
        U.KURANG: 0.10,
        U.SANGAT_KURANG: 0.0,
    }


def test_a_baik_unit_with_no_cap_on_sangat_baik_is_refused_naming_both_ratings() -> None:
    assert refusal(BEFORE) == (
        "curve: a unit rated Baik has no bound on Sangat Baik, while one rated Istimewa may "
        "have at most 70%: a lower-rated unit may not allow more Sangat Baik than a "
        "higher-rated one"
    )


@pytest.mark.parametrize(
    ("rating", "share", "higher", "higher_cap"),
    [
        (U.BAIK, 0.71, "Istimewa", "70%"),
        (U.BUTUH_PERBAIKAN, 0.75, "Baik", "70%"),
        (U.KURANG, 0.125, "Butuh Perbaikan", "10%"),
        (U.SANGAT_KURANG, 0.05, "Kurang", "10%"),
    ],
)
def test_a_cap_above_the_next_higher_ratings_is_refused(
    rating: UnitRating, share: float, higher: str, higher_cap: str
) -> None:
    # Sangat Kurang at 5% is under Kurang's 10%: it is only refused against a tighter Kurang.
    curve = curve_with(rating, cap(share))
    if rating is U.SANGAT_KURANG:
        curve = curve_with(U.KURANG, cap(0.0))
        curve[U.SANGAT_KURANG] = [cap(share)]
        higher_cap = "0%"
    said = refusal(curve)
    assert said.startswith(f"curve: a unit rated {rating.label} may have up to ")
    assert f"while one rated {higher} may have at most {higher_cap}:" in said


def test_each_pair_out_of_order_is_named_once() -> None:
    curve = curve_with(U.BAIK)  # no rules at all: no cap
    curve[U.KURANG] = [cap(0.2)]
    said = refusal(curve)
    assert said.count("a unit rated") == 2
    assert "a unit rated Baik has no bound on Sangat Baik" in said
    assert "a unit rated Kurang may have up to 20% Sangat Baik" in said


def test_equal_caps_and_a_cap_over_several_grades_keep_the_order() -> None:
    check_curve_order(curve_with(U.BUTUH_PERBAIKAN, cap(0.70)))
    # At most 60% Sangat Baik and Baik together caps Sangat Baik at 60% too.
    check_curve_order(curve_with(U.BAIK, cap(0.60, SB, BA)))
    assert sangat_baik_caps(curve_with(U.BAIK, cap(0.60, SB, BA)))[U.BAIK] == 0.60
    # A top unit with no cap lets every other have none.
    check_curve_order({rating: [] for rating in UnitRating})


CAPS = st.lists(
    st.one_of(st.none(), st.integers(min_value=0, max_value=100).map(lambda p: p / 100)),
    min_size=len(UnitRating),
    max_size=len(UnitRating),
)


@given(CAPS)
def test_a_curve_is_in_order_exactly_when_its_caps_never_rise_down_the_ratings(
    caps: list[float | None],
) -> None:
    curve: Curve = {
        rating: [] if share is None else [cap(share)]
        for rating, share in zip(UnitRating, caps, strict=True)
    }
    effective = [1.0 if share is None else share for share in caps]
    in_order = all(lower <= higher for higher, lower in pairwise(effective))
    try:
        check_curve_order(curve)
    except DomainError:
        assert not in_order
    else:
        assert in_order


# --- where a policy comes in -------------------------------------------------------------------


def policy_data(curve: Curve, **fields: Any) -> dict[str, Any]:
    data = json.loads(NATIONAL.model_dump_json())
    data["curve"] = json.loads(Policy(name="x", title="x", curve=curve).model_dump_json())["curve"]
    return {**data, **fields}


def test_a_policy_file_with_its_curve_out_of_order_is_refused() -> None:
    with pytest.raises(DomainError) as info:
        parse_policy(policy_data(BEFORE), source="kota-contoh.toml")
    assert str(info.value).startswith(
        "invalid policy in kota-contoh.toml: curve: a unit rated Baik has no bound on Sangat Baik"
    )
    assert parse_policy(policy_data(NATIONAL_CURVE)).curve == NATIONAL_CURVE


def test_a_launch_with_its_curve_out_of_order_is_refused_before_anything_else() -> None:
    broken = NATIONAL.model_copy(update={"curve": BEFORE})
    with pytest.raises(LaunchRefused) as info:
        check_policy(broken)
    assert info.value.field == "curve" and info.value.kind == "PolicyIncomplete"
    assert info.value.wording.values["lower"] == "Baik"
    assert info.value.wording.values["higher"] == "Istimewa"
    named = NATIONAL.model_copy(update={"regional_head_nip": HEAD, "appeals_officer_nip": OFFICER})
    check_policy(named)


def test_a_policy_recorded_before_the_order_and_the_rounding_still_reads() -> None:
    # A running cycle's input: the curve without Baik's cap, and no curve_rounding at all.
    recorded = policy_data(BEFORE)
    del recorded["curve_rounding"]
    policy = Policy.model_validate(recorded)
    assert policy.curve == BEFORE
    assert policy.curve_rounding is CurveRounding.STRICT
    assert Policy(name="x", title="x").curve_rounding is CurveRounding.STRICT
