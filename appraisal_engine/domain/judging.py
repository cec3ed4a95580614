"""The settings of a policy that change how behaviour and results are judged: peers' input
and its weight, citizens' scores and the units they apply to, the process behind each result.
Each defaults to the rule before it existed, so a policy stored without it decides as it did."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, model_validator

from appraisal_engine.domain.blend import ABOVE_FROM, BELOW_UNDER
from appraisal_engine.domain.model import Value
from appraisal_engine.domain.peer import BERAKHLAK, PeerAspect
from appraisal_engine.domain.ratings import Rating


class PeerPolicy(Value):
    """Peer (rekan kerja) input: who is asked, what about, and what their result weighs."""

    enabled: bool = False
    peers_per_employee: int = Field(default=3, ge=1, le=20)
    quorum: int = Field(default=2, ge=1, le=20)
    anonymity_threshold: int = Field(default=3, ge=1, le=20)
    aspects: list[PeerAspect] = Field(
        default_factory=lambda: list(BERAKHLAK),
        min_length=1,
        description="the survey's questions: BerAKHLAK values, and komunikasi",
    )
    behaviour_weight: float = Field(
        # 0 is the rule before the setting: the peers' result informs the supervisor only.
        default=0,
        ge=0,
        le=1,
        description="what the peers' result weighs in the behaviour rating (0: nothing, 1: all)",
    )
    above_from: float = Field(
        default=ABOVE_FROM,
        gt=3,
        le=4,
        description="a weighted behaviour score (1-5) from here up is above expectation",
    )
    below_under: float = Field(
        default=BELOW_UNDER,
        gt=2,
        le=3,
        description="a weighted behaviour score under this is below expectation",
    )

    @model_validator(mode="after")
    def _each_question_once(self) -> PeerPolicy:
        twice = sorted({a.value for a in self.aspects if self.aspects.count(a) > 1})
        if twice:
            raise ValueError(f"aspects: asked twice: {twice}")
        return self


UnitPattern = Annotated[str, Field(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9._-]+\*?$")]
"""A unit code as rosters write it, or a prefix of codes followed by '*'."""


class CommunityPolicy(Value):
    """Citizen satisfaction per unit feeding the behaviour judgement."""

    enabled: bool = False
    floor: float = Field(default=3.0, ge=1, le=5, description="score (1-5) below which...")
    cap_below_floor: Rating = Field(default=Rating.MEETS, description="...behaviour is capped")
    service_units: list[UnitPattern] | None = Field(
        # None is the rule before the setting: any unit HR scores is capped.
        default=None,
        min_length=1,
        description=(
            "the units that serve citizens, whose scores count: unit codes, or a prefix "
            "ending in '*' (PKM-* for every puskesmas); none listed: every unit"
        ),
    )

    def serves_citizens(self, unit_code: str) -> bool:
        """Whether citizens' scores apply to the unit (back offices are left out)."""
        if self.service_units is None:
            return True
        code = unit_code.upper()
        return any(
            code.startswith(u[:-1].upper()) if u.endswith("*") else code == u.upper()
            for u in self.service_units
        )


class ProcessPolicy(Value):
    """The appraisal of process: how each target's result was reached, beside the result."""

    enabled: bool = Field(
        default=False, description="the review rates each target's process as well as its result"
    )
    weight: float = Field(
        # 0 when enabled without a weight: the process is rated and shown, and decides nothing.
        default=0,
        ge=0,
        le=1,
        description="what the process weighs in each target's rating (0: nothing, 1: all)",
    )
