"""Signalling many appraisals from one activity: a closed one is skipped, one not started yet
fails the attempt so that the activity retries, and the running ones take their signal."""

from __future__ import annotations

import uuid

import pytest
from temporalio.exceptions import ApplicationError

from appraisal_engine.activities.fanout import NOT_STARTED, signal_each
from appraisal_engine.domain.presets import NATIONAL
from appraisal_engine.domain.stages import Stage
from appraisal_engine.workflows.appraisal.workflow import AppraisalWorkflow
from appraisal_engine.workflows.messages import CancelInput, CommunityScore
from tests.workflows.conftest import Running
from tests.workflows.driver import appraisal_input, nip, start


async def test_closed_appraisals_are_skipped_and_missing_ones_retried(running: Running) -> None:
    inp = appraisal_input(NATIONAL)
    live = await start(running, inp)
    closed = await start(running, inp)
    await closed.execute_update(
        AppraisalWorkflow.cancel, CancelInput(actor_nip=nip(99), reason="pensiun")
    )
    assert (await closed.result()).stage is Stage.CANCELLED
    score = CommunityScore(unit_code=inp.unit_code, score=4.0)

    not_yet = f"appraisal-test-{uuid.uuid4()}"
    with pytest.raises(ApplicationError) as missing:
        await signal_each(
            running.client,
            AppraisalWorkflow.community_score,
            [(i, score) for i in (live.id, closed.id, not_yet)],
            concurrency=2,
        )
    assert missing.value.type == NOT_STARTED and not missing.value.non_retryable
    assert (await live.query(AppraisalWorkflow.state)).community_score == 4.0  # still sent

    sent = await signal_each(
        running.client,
        AppraisalWorkflow.community_score,
        [(live.id, score), (closed.id, score)],
        concurrency=2,
    )
    assert sent == 1
    await live.terminate()
