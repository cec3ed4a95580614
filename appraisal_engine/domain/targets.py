"""The SKP: planned work results (RHK) with their indicators (IKI) and targets."""

from __future__ import annotations

from collections.abc import Collection
from enum import StrEnum

from pydantic import Field, model_validator

from appraisal_engine.domain.errors import DomainError
from appraisal_engine.domain.model import Value


class TargetKind(StrEnum):
    """Main (utama) or additional (tambahan) work result."""

    UTAMA = "utama"
    TAMBAHAN = "tambahan"


class Contribution(StrEnum):
    """How a target serves the supervisor's target it hangs from (matriks peran hasil)."""

    DIRECT = "direct"  # langsung: a part of the supervisor's result itself
    INDIRECT = "indirect"  # tidak langsung: supports it without being a part of it


class Target(Value):
    """One RHK with its IKI and target; `parent_id` hangs it from a supervisor RHK, and
    `contribution` says whether it contributes to it directly or indirectly."""

    id: str = Field(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9._-]+$")
    rhk: str = Field(min_length=3, max_length=500, description="Rencana Hasil Kerja")
    iki: str = Field(min_length=3, max_length=500, description="Indikator Kinerja Individu")
    target_value: float = Field(gt=0, le=1_000_000_000)
    target_unit: str = Field(min_length=1, max_length=40, examples=["dokumen", "%"])
    kind: TargetKind = TargetKind.UTAMA
    parent_id: str | None = Field(default=None, max_length=40)
    contribution: Contribution | None = Field(
        default=None, description="direct or indirect; only for a target with a parent_id"
    )


class TargetPlan(Value):
    """The employee's drafted SKP."""

    targets: list[Target] = Field(min_length=1, max_length=30)
    behaviour_expectations: str = Field(default="", max_length=2000)

    @model_validator(mode="after")
    def _ids_unique_and_one_main(self) -> TargetPlan:
        ids = [t.id for t in self.targets]
        if len(set(ids)) != len(ids):
            raise ValueError("target ids must be unique")
        if not any(t.kind is TargetKind.UTAMA for t in self.targets):
            raise ValueError("at least one target must be utama (main)")
        return self

    @property
    def ids(self) -> list[str]:
        """The target ids in plan order."""
        return [t.id for t in self.targets]

    def main_ids(self) -> set[str]:
        """The ids of the main (utama) targets."""
        return {t.id for t in self.targets if t.kind is TargetKind.UTAMA}


def check_cascading(plan: TargetPlan, parent_ids: Collection[str]) -> None:
    """Every main target must hang from one of the supervisor's approved targets."""
    allowed = set(parent_ids)
    for i, t in enumerate(plan.targets):
        if t.kind is TargetKind.UTAMA and t.parent_id not in allowed:
            raise DomainError(
                f"main target {t.id!r} must name a parent_id among the supervisor's approved "
                f"targets {sorted(allowed)}",
                field=f"targets[{i}].parent_id",
            )


def check_contributions(plan: TargetPlan, *, required: bool) -> None:
    """A contribution belongs to a target with a parent; with `required`, every target with a
    parent says whether it contributes directly or indirectly."""
    for i, t in enumerate(plan.targets):
        if t.contribution is not None and t.parent_id is None:
            raise DomainError(
                "a contribution needs the supervisor's target it contributes to",
                field=f"targets[{i}].contribution",
            )
        if required and t.parent_id is not None and t.contribution is None:
            raise DomainError(
                "this policy asks whether the target contributes directly or indirectly",
                field=f"targets[{i}].contribution",
            )
