"""The role-result matrix (matriks peran hasil): each approved plan's targets hung from the
supervisors' targets they contribute to, read as a tree for one unit."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from appraisal_engine.domain.model import Value
from appraisal_engine.domain.targets import Contribution, Target, TargetKind


class PlanRecord(Value):
    """One appraisal's approved plan, as the read model keeps it: whose, under which
    supervisor at the approval (whose targets its own hang from), and when."""

    appraisal_id: str
    cycle_id: str | None
    unit_code: str
    employee_nip: str
    supervisor_nip: str
    approved_at: datetime
    targets: list[Target]


class ParentRef(Value):
    """The target a root hangs from, outside the tree (the head's supervisor's)."""

    owner_nip: str
    target_id: str


class MatrixNode(Value):
    """One target in the tree, with the targets of the staff that contribute to it."""

    appraisal_id: str
    owner_nip: str
    target_id: str
    rhk: str
    iki: str
    target_value: float
    target_unit: str
    kind: TargetKind
    contribution: Contribution | None = None
    parent: ParentRef | None = Field(
        default=None, description="the target this one hangs from, for a root only"
    )
    children: list[MatrixNode] = Field(default_factory=list)


def build_matrix(plans: list[PlanRecord]) -> list[MatrixNode]:
    """The plans' targets as a forest: a target whose parent is among the plans (the parent
    target of the supervisor it was drafted under) sits under it; the rest are roots, each
    with the parent it names outside the plans, if any. Roots and children keep plan order,
    plans in the order given."""
    owner_of = {p.employee_nip: p for p in plans}
    children: dict[tuple[str, str], list[tuple[PlanRecord, Target]]] = {}
    roots: list[tuple[PlanRecord, Target]] = []
    for plan in plans:
        parent_plan = owner_of.get(plan.supervisor_nip)
        parent_ids = {t.id for t in parent_plan.targets} if parent_plan else set()
        for target in plan.targets:
            if target.parent_id is not None and target.parent_id in parent_ids:
                children.setdefault((plan.supervisor_nip, target.parent_id), []).append(
                    (plan, target)
                )
            else:
                roots.append((plan, target))

    def node(plan: PlanRecord, target: Target, *, root: bool, path: frozenset[str]) -> MatrixNode:
        key = (plan.employee_nip, target.id)
        # A supervisor loop cannot come from a valid roster; stop rather than recurse for ever.
        below = [] if plan.employee_nip in path else children.get(key, [])
        inner = path | {plan.employee_nip}
        return MatrixNode(
            appraisal_id=plan.appraisal_id,
            owner_nip=plan.employee_nip,
            target_id=target.id,
            rhk=target.rhk,
            iki=target.iki,
            target_value=target.target_value,
            target_unit=target.target_unit,
            kind=target.kind,
            contribution=target.contribution,
            parent=(
                ParentRef(owner_nip=plan.supervisor_nip, target_id=target.parent_id)
                if root and target.parent_id is not None
                else None
            ),
            children=[node(p, t, root=False, path=inner) for p, t in below],
        )

    return [node(p, t, root=True, path=frozenset()) for p, t in roots]
