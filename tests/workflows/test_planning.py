"""Planning in the workflow: approval refused without the dialogue a policy asks for, with
nothing entering the history; the expectations and the dialogue kept once approved."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from appraisal_engine.domain.calendar import local_date
from appraisal_engine.domain.planning import PerformanceDialogue, PlanningPolicy
from appraisal_engine.domain.presets import NATIONAL
from appraisal_engine.domain.ratings import Dimension
from appraisal_engine.domain.stages import Stage
from appraisal_engine.domain.tasks import TaskKind
from appraisal_engine.simulator.scripted import EXPECTATIONS
from appraisal_engine.workflows.appraisal.workflow import AppraisalWorkflow
from appraisal_engine.workflows.messages import AppraisalState, TargetsApproveBody, TargetsDraftBody
from tests.workflows.conftest import Running
from tests.workflows.driver import PLAN, Handle, appraisal_input, complete, start
from tests.workflows.test_rejections import assert_rejected

STRICT = NATIONAL.model_copy(
    update={"planning": PlanningPolicy(expectations_required=True, dialogue_required=True)}
)


async def _approval_task(handle: Handle) -> AppraisalState:
    state = await handle.query(AppraisalWorkflow.state)
    for _ in range(100):
        if state.tasks:
            break
        await asyncio.sleep(0.05)
        state = await handle.query(AppraisalWorkflow.state)
    [draft] = state.tasks
    await complete(handle, draft, TargetsDraftBody(plan=PLAN))
    return await handle.query(AppraisalWorkflow.state)


async def test_approval_waits_for_the_dialogue_and_keeps_the_expectations(
    running: Running,
) -> None:
    handle = await start(running, appraisal_input(STRICT))
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
    handle = await start(running, appraisal_input(NATIONAL))
    state = await _approval_task(handle)
    approve = next(t for t in state.tasks if t.kind is TaskKind.TARGETS_APPROVE)
    done = await complete(handle, approve, TargetsApproveBody(decision="approve"))
    assert done.stage is Stage.MONITORING
    state = await handle.query(AppraisalWorkflow.state)
    assert state.expectations == {} and state.dialogue is None
    await handle.terminate()
