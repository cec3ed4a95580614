"""Follow-up after the final grade: awards, development, mentorship, coaching."""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field

from appraisal_engine.domain.model import Value
from appraisal_engine.domain.ratings import Grade


class OutcomeKind(StrEnum):
    """What follows a grade."""

    AWARD = "award"  # penghargaan
    DEVELOPMENT = "development"  # competency development / training
    MENTORSHIP = "mentorship"  # with a matched experienced senior
    COACHING = "coaching"  # pembinaan by the appraiser
    FORMAL_COACHING = "formal_coaching"  # formal pembinaan with an improvement period


class AwardKind(StrEnum):
    """Forms an award takes."""

    CERTIFICATE = "certificate"
    INCENTIVE = "incentive"
    ASN_TELADAN = "asn_teladan_nomination"


class OutcomeRule(Value):
    """What a policy gives for one grade."""

    kind: OutcomeKind
    awards: list[AwardKind] = Field(default_factory=list)
    improvement_months: int | None = Field(default=None, ge=1, le=24)


CREDIT_POINTS_PERCENT: dict[Grade, int] = {
    Grade.SANGAT_BAIK: 150,
    Grade.BAIK: 100,
    Grade.BUTUH_PERBAIKAN: 75,
    Grade.KURANG: 50,
    Grade.SANGAT_KURANG: 25,
}
"""Share of the functional credit points earned, by grade."""


class OutcomeDecision(Value):
    """The follow-up decided for one employee's final grade."""

    grade: Grade
    kind: OutcomeKind
    awards: list[AwardKind] = Field(default_factory=list)
    talent_pool: bool = False
    credit_points_percent: int
    improvement_months: int | None = None


def decide_outcome(
    grade: Grade,
    rules: dict[Grade, OutcomeRule],
    *,
    previous_grade: Grade | None = None,
) -> OutcomeDecision:
    """Apply the policy's rule for the grade; Sangat Baik twice running joins the talent pool."""
    rule = rules[grade]
    return OutcomeDecision(
        grade=grade,
        kind=rule.kind,
        awards=list(rule.awards) if rule.kind is OutcomeKind.AWARD else [],
        talent_pool=grade is Grade.SANGAT_BAIK and previous_grade is Grade.SANGAT_BAIK,
        credit_points_percent=CREDIT_POINTS_PERCENT[grade],
        improvement_months=rule.improvement_months,
    )
