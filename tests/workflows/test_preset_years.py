"""A whole year under each of the presets whose judging differs from the national rules, showing
what is specific to it: the same reviews that the national rules grade one way are graded another
under the city's preset (issue 18)."""

from __future__ import annotations

import uuid
from pathlib import Path

from appraisal_engine.appraisal.verify import verify_files
from appraisal_engine.domain.indicators import PeriodIndicators
from appraisal_engine.domain.outcome import OutcomeKind
from appraisal_engine.domain.peer import PeerAspect, PeerFeedback
from appraisal_engine.domain.presets import NATIONAL, preset
from appraisal_engine.domain.ratings import Dimension, Grade, Rating
from appraisal_engine.domain.records import TaskRecord
from appraisal_engine.domain.reports import Feedback
from appraisal_engine.domain.stages import Stage
from appraisal_engine.domain.tasks import TaskKind
from appraisal_engine.simulator.scripted import review
from appraisal_engine.workflows.appraisal.monitoring import MONTHLY_INDICATORS
from appraisal_engine.workflows.appraisal.workflow import AppraisalWorkflow
from appraisal_engine.workflows.messages import (
    AppraisalState,
    CommunityScore,
    FeedbackBody,
    PeerFeedbackBody,
    ReviewBody,
)
from tests.workflows.conftest import Running
from tests.workflows.driver import (
    Actors,
    Handle,
    appraisal_input,
    complete,
    drive,
    seed_unit,
    start,
)
from tests.workflows.markers import markers_of
from tests.workflows.test_rejections import assert_rejected

A, M, B = Rating.ABOVE, Rating.MEETS, Rating.BELOW


async def _verified(handle: Handle, tmp_path: Path) -> None:
    """The grade the history records is the one the domain rules give it again."""
    path = tmp_path / f"{handle.id}.json"
    path.write_text((await handle.fetch_history()).to_json())
    (verdict,) = await verify_files([path])
    assert verdict.replay_error is None and not verdict.mismatch, verdict
    assert verdict.recomputed == verdict.recorded


async def test_bukittinggi_peers_on_collaboration_and_communication_weigh_into_behaviour(
    running: Running, tmp_path: Path
) -> None:
    # Results and behaviour rated above by the supervisor: Sangat Baik under the national rules.
    # Bukittinggi's peers judge collaboration and communication at 1 of 5, and their result
    # weighs 30% of behaviour: 0.7 * 4 + 0.3 * 1 = 3.1, "meets", so the grade is Baik.
    policy = preset("bukittinggi")
    roster_id = f"roster-{uuid.uuid4()}"
    await seed_unit(running, roster_id)
    handle = await start(running, appraisal_input(policy, roster_id=roster_id))
    actors = Actors(policy, results=A, behaviour=A, peer_score=1)

    # First the peers' tasks: each asks the two questions, and the seven values are refused.
    state = await drive(running, handle, actors, until=lambda s: s.stage is Stage.PEER_INPUT)
    peer_tasks = [t for t in state.tasks if t.kind is TaskKind.PEER_FEEDBACK]
    assert len(peer_tasks) == 3
    assert all(t.detail["aspects"] == ["kolaboratif", "komunikasi"] for t in peer_tasks)
    seven = PeerFeedbackBody(answers=PeerFeedback(scores={PeerAspect(d): 1 for d in Dimension}))
    await assert_rejected(
        handle,
        lambda: complete(handle, peer_tasks[0], seven),
        "InvalidPayload",
        "scores",
    )
    only_one = PeerFeedbackBody(answers=PeerFeedback(scores={PeerAspect.KOLABORATIF: 1}))
    await assert_rejected(
        handle,
        lambda: complete(handle, peer_tasks[0], only_one),
        "InvalidPayload",
        "scores",
    )

    state = await drive(running, handle, actors, until=lambda s: s.stage is Stage.REVIEW)
    (review_task,) = [t for t in state.tasks if t.kind is TaskKind.REVIEW]
    assert review_task.detail["peer_means"] == {"kolaboratif": 1.0, "komunikasi": 1.0}
    assert (review_task.detail["peer_weight"], review_task.detail["peer_score"]) == (0.3, 1.0)

    state = await drive(running, handle, actors)
    result = await handle.result()
    assert state.assessment is not None
    a = state.assessment
    assert (a.results, a.behaviour_by_supervisor, a.peer_score) == (A, A, 1.0)
    assert a.behaviour is M
    assert result.grade_computed is Grade.BAIK and result.grade_final is Grade.BAIK
    assert "peer_result_not_counted" not in state.flags
    await _verified(handle, tmp_path)

    # The same year under the national rules: no peers, the supervisor's "above" stands.
    national = await start(running, appraisal_input(NATIONAL, roster_id=roster_id))
    await drive(running, national, Actors(NATIONAL, results=A, behaviour=A))
    assert (await national.result()).grade_computed is Grade.SANGAT_BAIK


async def test_bukittinggi_peers_short_of_the_anonymity_threshold_do_not_count(
    running: Running, tmp_path: Path
) -> None:
    # Two of three peers answer: the quorum (2), but under the anonymity threshold (3). Their
    # low scores are not shown, so they do not count: the supervisor's "above" stands.
    policy = preset("bukittinggi")
    roster_id = f"roster-{uuid.uuid4()}"
    await seed_unit(running, roster_id)
    handle = await start(running, appraisal_input(policy, roster_id=roster_id))
    actors = Actors(policy, results=A, behaviour=A, peer_score=1)
    answered: set[str] = set()

    def third_stays_silent(task: TaskRecord) -> bool:
        if task.kind is not TaskKind.PEER_FEEDBACK:
            return False
        if task.assignee_nip in answered or len(answered) < 2:
            answered.add(task.assignee_nip)
            return False
        return True

    actors.skip = third_stays_silent
    state = await drive(running, handle, actors)
    assert state.peer is not None and (state.peer.responded, state.peer.quorum_met) == (2, True)
    assert not state.peer.shown
    assert state.assessment is not None and state.assessment.behaviour is A
    assert state.assessment.peer_score is None
    assert "peer_result_not_counted" in state.flags
    assert (await handle.result()).grade_computed is Grade.SANGAT_BAIK
    (review_task,) = [t for t in state.tasks if t.kind is TaskKind.REVIEW]
    assert review_task.detail["peer_weight"] == 0.3 and review_task.detail["peer_score"] is None
    await _verified(handle, tmp_path)


async def _binjai_year(
    running: Running,
    unit: str,
    *,
    process: Rating,
    score: float | None = None,
    signalled: float | None = None,
) -> tuple[Handle, AppraisalState]:
    """A Binjai year in `unit`: results and behaviour rated above, every target's process
    `process`; the unit's citizens' score given at the start or signalled by the cycle."""
    policy = preset("binjai")
    roster_id = f"roster-{uuid.uuid4()}"
    await seed_unit(running, roster_id)
    inp = appraisal_input(policy, roster_id=roster_id, unit_code=unit, community_score=score)
    handle = await start(running, inp)
    if signalled is not None:
        await handle.signal(
            AppraisalWorkflow.community_score, CommunityScore(unit_code=unit, score=signalled)
        )
    state = await drive(running, handle, Actors(policy, results=A, behaviour=A, process=process))
    return handle, state


async def test_binjai_a_service_unit_under_the_floor_is_capped(
    running: Running, tmp_path: Path
) -> None:
    # The population registry serves citizens: their 3.0, under the floor of 3.5, caps
    # behaviour at meets, so results above and behaviour above give Baik, not Sangat Baik.
    handle, state = await _binjai_year(running, "DUKCAPIL", process=A, score=3.0)
    a = state.assessment
    assert a is not None and a.behaviour_capped and (a.results, a.behaviour) == (A, M)
    assert (await handle.result()).grade_computed is Grade.BAIK
    (review_task,) = [t for t in state.tasks if t.kind is TaskKind.REVIEW]
    assert review_task.detail["process_weight"] == 0.4
    await _verified(handle, tmp_path)


async def test_binjai_a_back_office_takes_no_citizens_score(
    running: Running, tmp_path: Path
) -> None:
    # The personnel office (BKPSDM) serves no citizens: a score sent for it by the cycle is not
    # kept, and one in its start input caps nothing. The same ratings give Sangat Baik.
    handle, state = await _binjai_year(running, "BKPSDM", process=A, signalled=1.0)
    assert state.community_score is None
    assert state.assessment is not None and not state.assessment.behaviour_capped
    assert (await handle.result()).grade_computed is Grade.SANGAT_BAIK
    await _verified(handle, tmp_path)
    handle, state = await _binjai_year(running, "BKPSDM", process=A, score=1.0)
    assert state.assessment is not None and not state.assessment.behaviour_capped
    assert (await handle.result()).grade_computed is Grade.SANGAT_BAIK
    await _verified(handle, tmp_path)


async def test_binjai_a_poor_process_lowers_the_results(running: Running, tmp_path: Path) -> None:
    # Every result above, every process below: 0.6 * 4 + 0.4 * 2 = 3.2, meets, so Baik.
    policy = preset("binjai")
    roster_id = f"roster-{uuid.uuid4()}"
    await seed_unit(running, roster_id)
    handle = await start(running, appraisal_input(policy, roster_id=roster_id))
    actors = Actors(policy, results=A, behaviour=A, process=B)
    state = await drive(running, handle, actors, until=lambda s: s.stage is Stage.REVIEW)
    (review_task,) = [t for t in state.tasks if t.kind is TaskKind.REVIEW]
    # A review without the process ratings is refused, naming them.
    await assert_rejected(
        handle,
        lambda: complete(handle, review_task, ReviewBody(review=review(A, A))),
        "InvalidPayload",
        "process_ratings",
    )
    state = await drive(running, handle, actors)
    a = state.assessment
    assert a is not None and (a.results_alone, a.results, a.behaviour) == (A, M, A)
    assert (await handle.result()).grade_computed is Grade.BAIK
    await _verified(handle, tmp_path)


async def test_tanjungbalai_discipline_and_attendance_entered_monthly(
    running: Running, tmp_path: Path
) -> None:
    # Every target and value rated above: Sangat Baik and an award under the national rules.
    # Tanjungbalai's appraiser enters each month's attendance (90%, under the 95% standard) and
    # a discipline breach a month (12, over the 2 allowed): both standards below, so the
    # results are below, the grade Butuh Perbaikan, and the outcome coaching, not an award.
    # The employee sends no report for month 3: the appraiser still enters its indicators. The
    # appraiser misses month 5's feedback: its indicators are left out, 11 months remain.
    policy = preset("tanjungbalai")
    roster_id = f"roster-{uuid.uuid4()}"
    await seed_unit(running, roster_id)
    handle = await start(running, appraisal_input(policy, roster_id=roster_id))
    poor = PeriodIndicators(attendance=90, discipline_breaches=1)
    actors = Actors(policy, results=A, behaviour=A, indicators=poor)
    actors.skip = lambda t: (
        (t.kind is TaskKind.SELF_REPORT and t.period == 3)
        or (t.kind is TaskKind.FEEDBACK and t.period == 5)
    )

    # Month 1's feedback without the indicators is refused, naming them.
    state = await drive(
        running,
        handle,
        actors,
        until=lambda s: any(t.kind is TaskKind.FEEDBACK for t in s.tasks),
    )
    (first,) = [t for t in state.tasks if t.kind is TaskKind.FEEDBACK]
    assert first.detail["indicators"] is True and first.detail["report_task"]
    bare = FeedbackBody(feedback=Feedback(comment="Lanjutkan"))
    await assert_rejected(
        handle, lambda: complete(handle, first, bare), "InvalidPayload", "indicators"
    )

    state = await drive(running, handle, actors, until=lambda s: s.stage is Stage.REVIEW)
    month3 = [t for t in state.tasks if t.kind is TaskKind.FEEDBACK and t.period == 3]
    assert len(month3) == 1 and month3[0].detail["report_task"] is None
    assert state.periods[2].report_status == "missing"
    assert state.periods[2].feedback_status == "done"
    assert state.periods[4].feedback_status == "missing"
    (review_task,) = [t for t in state.tasks if t.kind is TaskKind.REVIEW]
    shown = review_task.detail["indicators"]
    assert shown["missing"] == [5] and len(shown["entered"]) == 11
    assert (shown["attendance"], shown["breaches"], shown["rated"]) == (90.0, 11, True)
    assert (shown["attendance_floor"], shown["breaches_allowed"]) == (95, 2)

    state = await drive(running, handle, actors)
    result = await handle.result()
    a = state.assessment
    assert a is not None and a.indicators is not None
    assert (a.indicators.attendance_rating, a.indicators.discipline_rating) == (B, B)
    assert (a.results_alone, a.results) == (A, B)
    assert result.grade_computed is Grade.BUTUH_PERBAIKAN
    assert result.outcome is not None and result.outcome.kind is OutcomeKind.COACHING
    assert {"missing_report:3", "missing_feedback:5"} <= set(state.flags)
    assert "indicators_not_rated" not in state.flags
    assert f"patch:{MONTHLY_INDICATORS}" in markers_of(await handle.fetch_history())
    await _verified(handle, tmp_path)


async def test_tanjungbalai_too_few_months_leave_the_targets_alone(
    running: Running, tmp_path: Path
) -> None:
    # The appraiser misses four months' feedback: 8 months with indicators, under the 9 the
    # preset needs, so discipline and attendance are not rated and the targets decide alone.
    policy = preset("tanjungbalai")
    roster_id = f"roster-{uuid.uuid4()}"
    await seed_unit(running, roster_id)
    handle = await start(running, appraisal_input(policy, roster_id=roster_id))
    poor = PeriodIndicators(attendance=50, discipline_breaches=3)
    actors = Actors(policy, results=A, behaviour=A, indicators=poor)
    actors.skip = lambda t: t.kind is TaskKind.FEEDBACK and (t.period or 0) > 8
    state = await drive(running, handle, actors)
    a = state.assessment
    assert a is not None and a.indicators is not None and not a.indicators.rated
    assert a.indicators.missing == [9, 10, 11, 12] and a.results is A and a.results_alone is None
    assert "indicators_not_rated" in state.flags
    assert (await handle.result()).grade_computed is Grade.SANGAT_BAIK
    await _verified(handle, tmp_path)
