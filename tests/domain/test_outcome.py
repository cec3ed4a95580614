"""Follow-up after the final grade, under each of the six presets."""

from __future__ import annotations

import pytest

from appraisal_engine.domain.outcome import AwardKind, OutcomeKind, OutcomeRule, decide_outcome
from appraisal_engine.domain.presets import PRESETS, preset
from appraisal_engine.domain.ratings import Grade

K, AW = OutcomeKind, AwardKind
SB, BA, BP, KU, SK = (
    Grade.SANGAT_BAIK,
    Grade.BAIK,
    Grade.BUTUH_PERBAIKAN,
    Grade.KURANG,
    Grade.SANGAT_KURANG,
)

# domain.md, "Follow-up", and the city table.
NATIONAL: dict[Grade, tuple[OutcomeKind, list[AwardKind]]] = {
    SB: (K.AWARD, [AW.CERTIFICATE]),
    BA: (K.DEVELOPMENT, []),
    BP: (K.MENTORSHIP, []),
    KU: (K.MENTORSHIP, []),
    SK: (K.FORMAL_COACHING, []),
}
EXPECTED: dict[str, dict[Grade, tuple[OutcomeKind, list[AwardKind]]]] = {
    "national": NATIONAL,
    # Training and development for everyone short of the top grade.
    "tebingtinggi": NATIONAL | {BP: (K.DEVELOPMENT, []), KU: (K.DEVELOPMENT, [])},
    "bukittinggi": NATIONAL,
    # Meeting targets earns an award; below standard gets coaching.
    "tanjungbalai": NATIONAL
    | {BA: (K.AWARD, [AW.CERTIFICATE]), BP: (K.COACHING, []), KU: (K.COACHING, [])},
    "binjai": NATIONAL,
    # Certificates, financial incentives and the ASN teladan nomination.
    "wanggar": NATIONAL | {SB: (K.AWARD, [AW.CERTIFICATE, AW.INCENTIVE])},  # teladan: by HR
}
CREDIT = {SB: 150, BA: 100, BP: 75, KU: 50, SK: 25}
CASES = [(name, g) for name in EXPECTED for g in Grade]


def test_the_six_presets_are_the_expected_ones() -> None:
    assert set(PRESETS) == set(EXPECTED)


@pytest.mark.parametrize(("name", "grade"), CASES)
def test_outcome_per_grade_and_preset(name: str, grade: Grade) -> None:
    d = decide_outcome(grade, preset(name).outcomes)
    kind, awards = EXPECTED[name][grade]
    assert d.grade is grade
    assert d.kind is kind
    assert d.awards == awards
    assert d.credit_points_percent == CREDIT[grade]
    assert d.improvement_months == (6 if grade is SK else None)
    assert d.talent_pool is False


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_talent_pool_only_for_sangat_baik_twice_running(name: str) -> None:
    rules = preset(name).outcomes
    assert decide_outcome(SB, rules, previous_grade=SB).talent_pool is True
    for previous in [None, BA, BP, KU, SK]:
        assert decide_outcome(SB, rules, previous_grade=previous).talent_pool is False
    for grade in [BA, BP, KU, SK]:
        assert decide_outcome(grade, rules, previous_grade=SB).talent_pool is False
        assert decide_outcome(grade, rules, previous_grade=grade).talent_pool is False


def test_awards_are_dropped_when_the_outcome_is_not_an_award() -> None:
    rules = dict(preset("national").outcomes)
    rules[BA] = OutcomeRule(kind=K.DEVELOPMENT, awards=[AW.INCENTIVE])
    assert decide_outcome(BA, rules).awards == []


def test_improvement_months_come_from_the_policy() -> None:
    rules = dict(preset("national").outcomes)
    rules[SK] = OutcomeRule(kind=K.FORMAL_COACHING, improvement_months=3)
    assert decide_outcome(SK, rules).improvement_months == 3
