"""ASN teladan: a nomination of a few, chosen by HR from the cycle's Sangat Baik."""

from __future__ import annotations

import math

from pydantic import Field

from appraisal_engine.domain.errors import DomainError
from appraisal_engine.domain.model import Value
from appraisal_engine.domain.ratings import Grade


class TeladanPolicy(Value):
    """Whether HR nominates ASN teladan, and how many at most."""

    by_hr: bool = Field(
        default=False,
        description="HR nominates a few; off, the award rules alone say who is nominated",
    )
    max_nominees: int = Field(default=3, ge=1, le=1000, description="at most this many")
    max_share: float = Field(
        default=0.1, gt=0, le=1, description="at most this share of the cycle's Sangat Baik"
    )

    def cap(self, sangat_baik: int) -> int:
        """How many may be nominated among `sangat_baik` people: the smaller of the number and
        the share (rounded down, but one at least when there is anyone to choose)."""
        if sangat_baik <= 0:
            return 0
        return min(self.max_nominees, max(1, math.floor(self.max_share * sangat_baik + 1e-9)))


def check_nomination(
    policy: TeladanPolicy, grade: Grade | None, nominated: int, sangat_baik: int
) -> None:
    """Refuse a nomination that the policy or the cap does not allow, saying why."""
    if not policy.by_hr:
        raise DomainError("this cycle's policy has no ASN teladan nomination by HR")
    if grade is not Grade.SANGAT_BAIK:
        raise DomainError(
            "only a final grade of Sangat Baik may be nominated (this one: %(grade)s)",
            values={"grade": grade.value if grade else "none yet"},
        )
    cap = policy.cap(sangat_baik)
    if nominated >= cap:
        raise DomainError(
            "the cap is reached: %(cap)s nomination(s) for %(sb)s Sangat Baik",
            values={"cap": cap, "sb": sangat_baik},
        )
