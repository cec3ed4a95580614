"""ASN teladan: a nomination of a few from the Sangat Baik, capped by number and share."""

from __future__ import annotations

import pytest

from appraisal_engine.domain.errors import DomainError
from appraisal_engine.domain.ratings import Grade
from appraisal_engine.domain.teladan import TeladanPolicy, check_nomination

POLICY = TeladanPolicy(by_hr=True, max_nominees=5, max_share=0.1)


@pytest.mark.parametrize(
    ("sangat_baik", "cap"), [(0, 0), (1, 1), (19, 1), (20, 2), (29, 2), (30, 3), (100, 5)]
)
def test_the_cap_is_the_share_rounded_down_one_at_least_the_number_at_most(
    sangat_baik: int, cap: int
) -> None:
    assert POLICY.cap(sangat_baik) == cap


def test_a_nomination_at_the_cap_is_refused_one_below_it_is_not() -> None:
    check_nomination(POLICY, Grade.SANGAT_BAIK, nominated=1, sangat_baik=20)
    with pytest.raises(DomainError, match="cap is reached: 2 nomination"):
        check_nomination(POLICY, Grade.SANGAT_BAIK, nominated=2, sangat_baik=20)


@pytest.mark.parametrize("grade", [Grade.BAIK, Grade.BUTUH_PERBAIKAN, None])
def test_only_a_sangat_baik_may_be_nominated(grade: Grade | None) -> None:
    with pytest.raises(DomainError, match="only a final grade of Sangat Baik"):
        check_nomination(POLICY, grade, nominated=0, sangat_baik=20)


def test_a_policy_without_nomination_by_hr_refuses_every_one() -> None:
    with pytest.raises(DomainError, match="no ASN teladan nomination by HR"):
        check_nomination(TeladanPolicy(), Grade.SANGAT_BAIK, nominated=0, sangat_baik=20)
