"""The SKP: targets, the plan's own rules, and cascading from the supervisor's plan."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from appraisal_engine.domain.errors import DomainError
from appraisal_engine.domain.targets import Target, TargetKind, TargetPlan, check_cascading


def target(id: str, kind: TargetKind = TargetKind.UTAMA, parent_id: str | None = None) -> Target:
    return Target(
        id=id,
        rhk=f"Hasil kerja {id}",
        iki=f"Persentase dokumen {id} selesai tepat waktu",
        target_value=100,
        target_unit="%",
        kind=kind,
        parent_id=parent_id,
    )


def test_a_plan_keeps_order_and_knows_its_main_targets() -> None:
    plan = TargetPlan(
        targets=[
            target("T2", parent_id="S1"),
            target("T1", TargetKind.TAMBAHAN),
            target("T3", parent_id="S2"),
        ]
    )
    assert plan.ids == ["T2", "T1", "T3"]
    assert plan.main_ids() == {"T2", "T3"}


def test_duplicate_ids_are_rejected() -> None:
    with pytest.raises(ValidationError, match="target ids must be unique"):
        TargetPlan(targets=[target("T1"), target("T2"), target("T1", TargetKind.TAMBAHAN)])


def test_a_plan_without_a_main_target_is_rejected() -> None:
    with pytest.raises(ValidationError, match="utama"):
        TargetPlan(targets=[target("T1", TargetKind.TAMBAHAN), target("T2", TargetKind.TAMBAHAN)])


def test_a_plan_needs_one_to_thirty_targets() -> None:
    with pytest.raises(ValidationError, match="targets"):
        TargetPlan(targets=[])
    TargetPlan(targets=[target(f"T{i}") for i in range(30)])
    with pytest.raises(ValidationError, match="targets"):
        TargetPlan(targets=[target(f"T{i}") for i in range(31)])


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("id", "T 1"),
        ("id", "../T1"),
        ("id", ""),
        ("rhk", "ab"),
        ("iki", ""),
        ("target_value", 0),
        ("target_value", -5),
        ("target_unit", ""),
        ("kind", "wajib"),
    ],
)
def test_target_fields_are_validated(field: str, value: object) -> None:
    data = target("T1").model_dump() | {field: value}
    with pytest.raises(ValidationError, match=field):
        Target.model_validate(data)


def test_targets_are_immutable_and_reject_unknown_fields() -> None:
    t = target("T1")
    with pytest.raises(ValidationError):
        t.id = "T2"  # type: ignore[misc]
    with pytest.raises(ValidationError, match="weight"):
        Target.model_validate(t.model_dump() | {"weight": 0.5})


# --- cascading ----------------------------------------------------------------------------------


def test_cascading_accepts_main_targets_under_approved_parents() -> None:
    plan = TargetPlan(targets=[target("T1", parent_id="S1"), target("T2", parent_id="S2")])
    check_cascading(plan, ["S1", "S2", "S3"])
    check_cascading(plan, {"S1", "S2"})


def test_additional_targets_need_no_parent() -> None:
    plan = TargetPlan(
        targets=[
            target("T1", parent_id="S1"),
            target("X1", TargetKind.TAMBAHAN),
            target("X2", TargetKind.TAMBAHAN, parent_id="NOT-A-SUPERVISOR-TARGET"),
        ]
    )
    check_cascading(plan, ["S1"])


def test_main_target_without_parent_is_rejected_naming_the_field() -> None:
    plan = TargetPlan(targets=[target("T1", parent_id="S1"), target("T2")])
    with pytest.raises(DomainError) as info:
        check_cascading(plan, ["S1"])
    assert info.value.field == "targets[1].parent_id"
    assert "'T2'" in info.value.reason
    assert str(info.value).startswith("targets[1].parent_id: ")


def test_main_target_under_an_unknown_parent_is_rejected() -> None:
    plan = TargetPlan(
        targets=[
            target("X1", TargetKind.TAMBAHAN),
            target("T1", parent_id="S1"),
            target("T2", parent_id="S9"),
        ]
    )
    with pytest.raises(DomainError) as info:
        check_cascading(plan, ["S1", "S2"])
    assert info.value.field == "targets[2].parent_id"
    assert "['S1', 'S2']" in info.value.reason


def test_no_approved_supervisor_targets_blocks_every_main_target() -> None:
    plan = TargetPlan(targets=[target("T1", parent_id="S1")])
    with pytest.raises(DomainError) as info:
        check_cascading(plan, [])
    assert info.value.field == "targets[0].parent_id"
