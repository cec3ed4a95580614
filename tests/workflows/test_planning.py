"""Planning in the workflow: approval refused without the dialogue a policy asks for, with
nothing entering the history; the expectations and the dialogue kept once approved."""

from __future__ import annotations

import uuid
from datetime import timedelta

from temporalio.client import WorkflowHistory
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.worker import Replayer

from appraisal_engine.domain.calendar import local_date
from appraisal_engine.domain.planning import PerformanceDialogue, PlanningPolicy
from appraisal_engine.domain.presets import NATIONAL
from appraisal_engine.domain.ratings import Dimension
from appraisal_engine.domain.stages import Stage
from appraisal_engine.domain.targets import Contribution, Target
from appraisal_engine.domain.tasks import TaskKind
from appraisal_engine.simulator.scripted import EXPECTATIONS
from appraisal_engine.store.repositories.plans import unit_plans
from appraisal_engine.workflows import io
from appraisal_engine.workflows.appraisal.stages import PLAN_RECORDED
from appraisal_engine.workflows.appraisal.workflow import AppraisalWorkflow
from appraisal_engine.workflows.messages import AppraisalState, TargetsApproveBody, TargetsDraftBody
from appraisal_engine.workflows.timeline import build_timeline
from tests.workflows.conftest import Running
from tests.workflows.driver import (
    PLAN,
    SUPERVISOR,
    Actors,
    Handle,
    appraisal_input,
    complete,
    drive,
    nip,
    opened,
    start,
)
from tests.workflows.markers import markers_of
from tests.workflows.test_history import HISTORIES
from tests.workflows.test_rejections import assert_rejected

STRICT = NATIONAL.model_copy(
    update={"planning": PlanningPolicy(expectations_required=True, dialogue_required=True)}
)


async def _approval_task(handle: Handle) -> AppraisalState:
    [draft] = (await opened(handle)).tasks
    await complete(handle, draft, TargetsDraftBody(plan=PLAN))
    return await handle.query(AppraisalWorkflow.state)


async def test_approval_waits_for_the_dialogue_and_keeps_the_expectations(
    running: Running,
) -> None:
    handle = await start(running, appraisal_input(STRICT, employee_nip=nip(63)))
    state = await _approval_task(handle)
    assert state.planning == STRICT.planning
    approve = next(t for t in state.tasks if t.kind is TaskKind.TARGETS_APPROVE)
    today = local_date(await running.env.get_current_time(), STRICT.time_zone)
    held = PerformanceDialogue(held_on=today, agreed=False, notes="T2 dinilai terlalu tinggi")

    bare = TargetsApproveBody(decision="approve", expectations=EXPECTATIONS)
    await assert_rejected(
        handle, lambda: complete(handle, approve, bare), "InvalidPayload", "dialogue"
    )
    six = {d: t for d, t in EXPECTATIONS.items() if d is not Dimension.LOYAL}
    partial = TargetsApproveBody(decision="approve", expectations=six, dialogue=held)
    await assert_rejected(
        handle, lambda: complete(handle, approve, partial), "InvalidPayload", "expectations"
    )
    ahead = held.model_copy(update={"held_on": today + timedelta(days=2)})
    early = TargetsApproveBody(decision="approve", expectations=EXPECTATIONS, dialogue=ahead)
    await assert_rejected(
        handle, lambda: complete(handle, approve, early), "InvalidPayload", "dialogue.held_on"
    )

    body = TargetsApproveBody(decision="approve", expectations=EXPECTATIONS, dialogue=held)
    done = await complete(handle, approve, body)
    assert done.stage is Stage.MONITORING
    state = await handle.query(AppraisalWorkflow.state)
    assert state.expectations == EXPECTATIONS and state.dialogue == held
    await handle.terminate()


async def test_default_policy_approves_as_before(running: Running) -> None:
    handle = await start(running, appraisal_input(NATIONAL, employee_nip=nip(64)))
    state = await _approval_task(handle)
    approve = next(t for t in state.tasks if t.kind is TaskKind.TARGETS_APPROVE)
    done = await complete(handle, approve, TargetsApproveBody(decision="approve"))
    assert done.stage is Stage.MONITORING
    state = await handle.query(AppraisalWorkflow.state)
    assert state.expectations == {} and state.dialogue is None
    await handle.terminate()


async def test_the_approved_plan_is_recorded_with_its_contributions(running: Running) -> None:
    policy = NATIONAL.model_copy(update={"planning": PlanningPolicy(contribution_required=True)})
    cycle_id = f"matrix-{uuid.uuid4().hex[:8]}"
    handle = await start(running, appraisal_input(policy, cycle_id=cycle_id, employee_nip=nip(65)))
    [draft] = (await opened(handle)).tasks
    first, *rest = PLAN.targets
    hung = first.model_copy(update={"parent_id": "S1"})
    loose = first.model_copy(update={"contribution": Contribution.INDIRECT})

    def drafted(target: Target) -> TargetsDraftBody:
        return TargetsDraftBody(plan=PLAN.model_copy(update={"targets": [target, *rest]}))

    await assert_rejected(
        handle,
        lambda: complete(
            handle, draft, TargetsDraftBody(plan=PLAN.model_copy(update={"targets": [hung, *rest]}))
        ),
        "InvalidPayload",
        "targets[0].contribution",
    )
    await assert_rejected(
        handle,
        lambda: complete(
            handle,
            draft,
            TargetsDraftBody(plan=PLAN.model_copy(update={"targets": [loose, *rest]})),
        ),
        "InvalidPayload",
        "targets[0].contribution",
    )
    direct = hung.model_copy(update={"contribution": Contribution.DIRECT})
    plan = PLAN.model_copy(update={"targets": [direct, *rest]})
    await complete(handle, draft, TargetsDraftBody(plan=plan))
    async with running.sessions() as session:
        assert await unit_plans(session, cycle_id, "DUKCAPIL") == []
    state = await handle.query(AppraisalWorkflow.state)
    approve = next(t for t in state.tasks if t.kind is TaskKind.TARGETS_APPROVE)
    await complete(handle, approve, TargetsApproveBody(decision="approve"))
    async with running.sessions() as session:
        [recorded] = await unit_plans(session, cycle_id, "DUKCAPIL")
    assert recorded.appraisal_id == handle.id and recorded.supervisor_nip == SUPERVISOR
    assert recorded.targets == plan.targets
    assert recorded.targets[0].contribution is Contribution.DIRECT
    await handle.terminate()


async def test_a_year_with_the_plan_recorded_replays_and_the_committed_ones_both_ways(
    running: Running,
) -> None:
    handle = await start(running, appraisal_input(NATIONAL, employee_nip=nip(66)))
    await drive(running, handle, Actors(NATIONAL))
    history = await handle.fetch_history()
    markers = markers_of(history)
    # The patch is taken where the approval ends planning, and the one write follows it.
    taken = markers.index(f"patch:{PLAN_RECORDED}")
    assert markers.count(io.RECORD_PLAN) == 1 and markers.index(io.RECORD_PLAN) > taken
    timeline = await build_timeline(history, workflow_id=handle.id)
    today = [e.summary for e in timeline.entries if e.summary.startswith("approved the targets")]
    assert len(today) == 1 and today[0].startswith("approved the targets after the dialogue of ")
    assert today[0].endswith(" (agreed)")
    replayer = Replayer(workflows=[AppraisalWorkflow], data_converter=pydantic_data_converter)
    result = await replayer.replay_workflow(history, raise_on_replay_failure=False)
    assert result.replay_failure is None, result.replay_failure
    # The committed years replay both ways: recorded before the patch, and after it.
    took = set()
    for path in HISTORIES.glob("appraisal-history-*.json"):
        recorded = markers_of(WorkflowHistory.from_json(path.stem, path.read_text()))
        patched = f"patch:{PLAN_RECORDED}" in recorded
        assert patched == (io.RECORD_PLAN in recorded), path.stem
        if patched:
            took.add(path.stem)
    # Tanjungbalai's year records its plan, and the cycle of 2029, recorded since, took the
    # patch too; every other year was recorded before it.
    assert took == {"appraisal-history-tanjungbalai", "appraisal-history-2029-197801062004072147"}
