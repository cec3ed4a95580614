"""The role-result matrix as a tree, and a target's contribution to its parent."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from appraisal_engine.domain.errors import DomainError
from appraisal_engine.domain.matrix import PlanRecord, build_matrix
from appraisal_engine.domain.targets import (
    Contribution,
    Target,
    TargetKind,
    TargetPlan,
    check_contributions,
)

AT = datetime(2026, 1, 20, tzinfo=UTC)
HEAD, SECTION, STAFF, OTHER, MAYOR = "head", "section", "staff", "other", "mayor"
DIRECT, INDIRECT = Contribution.DIRECT, Contribution.INDIRECT


def target(
    tid: str,
    parent: str | None = None,
    how: Contribution | None = None,
    kind: TargetKind = TargetKind.UTAMA,
) -> Target:
    return Target(
        id=tid,
        rhk=f"Hasil {tid}",
        iki=f"Indikator {tid}",
        target_value=1,
        target_unit="dokumen",
        kind=kind,
        parent_id=parent,
        contribution=how,
    )


def plan(owner: str, supervisor: str, *targets: Target) -> PlanRecord:
    return PlanRecord(
        appraisal_id=f"a-{owner}",
        cycle_id="c",
        unit_code="U",
        employee_nip=owner,
        supervisor_nip=supervisor,
        approved_at=AT,
        targets=list(targets),
    )


def shape(nodes: list) -> list:  # type: ignore[type-arg]
    return [(n.owner_nip, n.target_id, n.contribution, shape(n.children)) for n in nodes]


def test_targets_hang_under_the_supervisors_targets_they_name() -> None:
    plans = [
        plan(HEAD, MAYOR, target("K1", "M1", DIRECT), target("K2")),
        plan(SECTION, HEAD, target("S1", "K1", DIRECT), target("S2", "K1", INDIRECT)),
        plan(STAFF, SECTION, target("T1", "S2", INDIRECT), target("T2", kind=TargetKind.TAMBAHAN)),
    ]
    roots = build_matrix(plans)
    assert shape(roots) == [
        (HEAD, "K1", DIRECT, [
            (SECTION, "S1", DIRECT, []),
            (SECTION, "S2", INDIRECT, [(STAFF, "T1", INDIRECT, [])]),
        ]),
        (HEAD, "K2", None, []),
        (STAFF, "T2", None, []),
    ]  # fmt: skip
    # A root names the target it hangs from outside the unit; inner nodes do not repeat it.
    assert roots[0].parent is not None and roots[0].parent.owner_nip == MAYOR
    assert roots[0].parent.target_id == "M1" and roots[0].children[0].parent is None
    assert roots[1].parent is None


def test_a_parent_missing_from_the_plans_leaves_the_target_a_root_naming_it() -> None:
    # The section head's plan is not approved yet, or names a target the head does not have.
    plans = [
        plan(HEAD, MAYOR, target("K1")),
        plan(STAFF, SECTION, target("T1", "S1", Contribution.DIRECT)),
        plan(OTHER, HEAD, target("O1", "K9", Contribution.INDIRECT)),
    ]
    roots = build_matrix(plans)
    assert [(r.owner_nip, r.target_id) for r in roots] == [
        (HEAD, "K1"),
        (STAFF, "T1"),
        (OTHER, "O1"),
    ]
    assert roots[1].parent is not None and roots[1].parent.owner_nip == SECTION
    assert roots[2].parent is not None and roots[2].parent.target_id == "K9"


def test_no_plans_no_tree() -> None:
    assert build_matrix([]) == []


def test_a_supervisor_loop_does_not_recurse_for_ever() -> None:
    plans = [plan(HEAD, SECTION, target("K1", "S1")), plan(SECTION, HEAD, target("S1", "K1"))]
    assert build_matrix(plans) == []  # nothing is a root: neither is shown, and it ends


def test_contribution_needs_a_parent_and_may_be_required() -> None:
    def of(*targets: Target) -> TargetPlan:
        return TargetPlan(targets=list(targets))

    with pytest.raises(DomainError) as err:
        check_contributions(of(target("T1"), target("T2", how=Contribution.DIRECT)), required=False)
    assert err.value.field == "targets[1].contribution"
    check_contributions(of(target("T1", "S1")), required=False)  # not stated: allowed
    with pytest.raises(DomainError) as err:
        check_contributions(of(target("T1", "S1")), required=True)
    assert err.value.field == "targets[0].contribution"
    check_contributions(of(target("T1", "S1", Contribution.INDIRECT), target("T2")), required=True)


def test_a_target_stored_before_contributions_reads_without_one() -> None:
    old = {"id": "T1", "rhk": "Hasil", "iki": "Indikator", "target_value": 1, "target_unit": "x"}
    assert Target.model_validate(old).contribution is None
    assert Target.model_validate({**old, "contribution": "indirect"}).contribution is (
        Contribution.INDIRECT
    )
    with pytest.raises(ValueError):
        Target.model_validate({**old, "contribution": "sideways"})
