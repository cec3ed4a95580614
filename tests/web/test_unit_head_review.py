"""A unit head's review on the web under a policy with unit_head_results: the form says the
results follow the unit's rating and where to decide it; once decided, it names the rating and
the results it gives, and the preview grades with them. And a cycle begun before units were
rated by their official keeps HR's choice of rating on the calibration page."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta

from appraisal_engine.client.starters import launch_cycle
from appraisal_engine.domain.stages import Stage
from appraisal_engine.domain.tasks import TaskKind
from appraisal_engine.domain.unit_rating import UNIT_HEAD_RESULTS
from appraisal_engine.simulator.inbox import answer_tasks, open_tasks
from appraisal_engine.simulator.roster import generate_roster
from appraisal_engine.simulator.scripted import Actors
from appraisal_engine.workflows import ids
from appraisal_engine.workflows.cycle import CycleWorkflow
from appraisal_engine.workflows.cycle_messages import CycleCarry, CycleInput
from tests.web.conftest import Web, form_token
from tests.workflows.conftest import Running
from tests.workflows.cycle_driver import HR, POLICY, REGIONAL_HEAD, store_roster


async def test_a_heads_review_form_follows_the_units_rating(web: Web) -> None:
    policy = POLICY.model_copy(update={"unit_head_results": UNIT_HEAD_RESULTS})
    running = Running(web.env, web.env.client, web.task_queue, None, web.sessions)  # type: ignore[arg-type]
    employees = generate_roster(4, units=1, seed=21)
    roster_id = await store_roster(running, employees)
    org = f"kota-{uuid.uuid4().hex[:6]}"
    cycle = await launch_cycle(
        web.env.client,
        org=org,
        year=2035,
        roster_id=roster_id,
        policy=policy,
        task_queue=web.task_queue,
        year_start=datetime.now(UTC) - timedelta(days=366),
    )
    cycle_id = ids.cycle_id(org, 2035)
    head = next(e for e in employees if e.supervisor_nip is None)
    head_appraisal = ids.appraisal_workflow_id(cycle_id, head.nip)
    actors = Actors(policy)
    review_id = None
    for _ in range(600):
        tasks = await open_tasks(web.sessions, cycle_id)
        mine = [t for t in tasks if t.appraisal_id == head_appraisal]
        review_id = next((t.id for t in mine if t.kind is TaskKind.REVIEW), None)
        if review_id is not None:
            break
        await answer_tasks(web.env.client, tasks, actors.body)
        if not tasks:
            await asyncio.sleep(0.1)
    assert review_id is not None

    official = await web.signed_in(REGIONAL_HEAD)
    form = await official.get(f"/tasks/{review_id}")
    assert form.status_code == 200, form.text
    assert 'id="unit-head-results"' in form.text and 'href="/unit-ratings"' in form.text
    listing = await official.get("/unit-ratings")
    anchor = f"{cycle_id}--{head.unit_code}"
    assert f'id="{anchor}"' in listing.text
    r = await official.post(
        f"/unit-ratings/{cycle_id}/{head.unit_code}",
        data={"csrf_token": form_token(listing.text), "rating": "istimewa"},
    )
    assert r.status_code == 303, r.text
    for _ in range(50):
        form = await official.get(f"/tasks/{review_id}")
        if 'href="/unit-ratings"' not in form.text:
            break
        await asyncio.sleep(0.05)
    note = form.text.split('id="unit-head-results">', 1)[1].split("</p>", 1)[0]
    assert "Istimewa" in note and ("di atas" in note.lower() or "above" in note.lower())
    # The preview grades a head whose targets are all "below" with the unit's "above".
    fields = {f"review.target_ratings.{t}": "below" for t in ("T1", "T2", "T3")}
    fields |= {
        f"review.behaviour_ratings.{d}": "above"
        for d in ("berorientasi_pelayanan", "akuntabel", "kompeten", "harmonis", "loyal")
    }
    fields |= {"review.behaviour_ratings.adaptif": "above"}
    fields |= {"review.behaviour_ratings.kolaboratif": "above"}
    preview = await official.post(
        f"/tasks/{review_id}/preview", data={"csrf_token": form_token(form.text), **fields}
    )
    assert preview.status_code == 200
    assert "Sangat Baik" in preview.text, preview.text  # not Butuh Perbaikan from the targets
    await cycle.terminate()


async def test_a_cycle_started_before_keeps_hrs_choice_of_rating_on_the_page(web: Web) -> None:
    # A run of a cycle begun before units were rated by their official (its carry says so):
    # the calibration page offers HR the rating, as it did, and no decision to wait for.
    running = Running(web.env, web.env.client, web.task_queue, None, web.sessions)  # type: ignore[arg-type]
    employees = generate_roster(3, units=1, seed=23)
    roster_id = await store_roster(running, employees)
    org = f"kota-{uuid.uuid4().hex[:6]}"
    carry = CycleCarry(
        year_start=datetime.now(UTC) - timedelta(days=366),
        launched=0,
        launch_cursor=(0, 0),
        launch_done=False,
        units={},
        runs=1,
    )
    inp = CycleInput(org=org, year=2036, roster_id=roster_id, policy=POLICY, carried=carry)
    cycle = await web.env.client.start_workflow(
        CycleWorkflow.run, inp, id=f"cycle-{org}-2036", task_queue=web.task_queue
    )
    cycle_id = ids.cycle_id(org, 2036)
    actors = Actors(POLICY)
    for _ in range(600):
        status = await cycle.query(CycleWorkflow.status)
        if status.launch_done and all(
            u.stages.get(Stage.CALIBRATION) == u.total for u in status.units.values()
        ):
            break
        tasks = await open_tasks(web.sessions, cycle_id)
        await answer_tasks(web.env.client, tasks, actors.body)
        if not tasks:
            await asyncio.sleep(0.1)
    hr = await web.signed_in(HR)
    page = await hr.get(f"/hr/cycles/{cycle_id}/units/{employees[0].unit_code}/calibration")
    assert page.status_code == 200, page.text
    assert 'name="unit_rating"' in page.text and "adjustments[0]" in page.text
    assert 'id="rating-h"' not in page.text and "rating-proposal" not in page.text
    await cycle.terminate()
