"""The presets' own rules over the API: a Tanjungbalai feedback without the month's discipline
and attendance, and a Binjai review without the process behind each result, are refused as 422
problems naming the field, and change nothing."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from appraisal_engine.domain.presets import preset
from appraisal_engine.domain.ratings import Rating
from appraisal_engine.domain.records import TaskStatus
from appraisal_engine.domain.tasks import TaskKind
from appraisal_engine.simulator.scripted import SUPERVISOR, Actors, drive_year, review
from appraisal_engine.workflows.appraisal.workflow import AppraisalWorkflow
from appraisal_engine.workflows.messages import AppraisalState
from tests.api.conftest import Api, bearer
from tests.workflows.driver import appraisal_input

PROBLEM = "application/problem+json"


def open_of(kind: TaskKind) -> Callable[[AppraisalState], bool]:
    return lambda s: any(t.kind is kind and t.status is TaskStatus.OPEN for t in s.tasks)


async def idle(_: AppraisalState) -> None:
    await asyncio.sleep(0.05)


async def until_open(api: Api, name: str, kind: TaskKind, actors: Actors) -> tuple[str, str]:
    """A year started a year ago under the preset, driven until `kind` is open: its ids."""
    appraisal_id = f"appraisal-rules-{uuid.uuid4().hex[:8]}"
    handle = await api.env.client.start_workflow(
        AppraisalWorkflow.run,
        appraisal_input(preset(name), year_start=datetime.now(UTC) - timedelta(days=366)),
        id=appraisal_id,
        task_queue=api.task_queue,
    )
    state = await drive_year(handle, actors, idle, until=open_of(kind))
    task = next(t for t in state.tasks if t.kind is kind and t.status is TaskStatus.OPEN)
    return appraisal_id, task.id


async def test_a_feedback_without_the_months_indicators_is_a_422(api: Api) -> None:
    actors = Actors(preset("tanjungbalai"))
    actors.skip = lambda t: t.kind is TaskKind.FEEDBACK
    _, task_id = await until_open(api, "tanjungbalai", TaskKind.FEEDBACK, actors)
    body = {"kind": "feedback", "feedback": {"comment": "Pertahankan"}}
    r = await api.http.post(f"/v1/tasks/{task_id}/complete", json=body, headers=bearer(SUPERVISOR))
    assert r.status_code == 422 and r.headers["content-type"] == PROBLEM
    assert [e["field"] for e in r.json()["errors"]] == ["body.indicators"]
    assert "attendance and discipline breaches" in r.text
    body["feedback"]["indicators"] = {"attendance": 97, "discipline_breaches": 0}  # type: ignore[index]
    r = await api.http.post(f"/v1/tasks/{task_id}/complete", json=body, headers=bearer(SUPERVISOR))
    assert r.status_code == 200, r.text


async def test_a_review_without_the_process_is_a_422(api: Api) -> None:
    actors = Actors(preset("binjai"))
    actors.skip = lambda t: t.kind is TaskKind.REVIEW
    appraisal_id, task_id = await until_open(api, "binjai", TaskKind.REVIEW, actors)
    body = {"kind": "review", "review": review(Rating.MEETS, Rating.MEETS).model_dump(mode="json")}
    r = await api.http.post(f"/v1/tasks/{task_id}/complete", json=body, headers=bearer(SUPERVISOR))
    assert r.status_code == 422 and r.headers["content-type"] == PROBLEM
    assert [e["field"] for e in r.json()["errors"]] == ["body.process_ratings"]
    handle = api.env.client.get_workflow_handle(appraisal_id)
    assert (await handle.query(AppraisalWorkflow.state)).review is None
