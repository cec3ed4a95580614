"""One employee's whole year under each of the six presets, every task driven through updates."""

from __future__ import annotations

import uuid

import pytest

from appraisal_engine.domain.outcome import AwardKind, OutcomeKind
from appraisal_engine.domain.presets import PRESETS
from appraisal_engine.domain.ratings import Grade, Rating
from appraisal_engine.domain.records import MentorStatus, TaskStatus
from appraisal_engine.domain.stages import Stage
from appraisal_engine.domain.tasks import TaskKind
from appraisal_engine.store.repositories.appraisals import get_appraisal
from appraisal_engine.store.repositories.outcomes import get_outcome
from appraisal_engine.store.repositories.tasks import list_tasks
from appraisal_engine.workflows.appraisal.workflow import AppraisalWorkflow
from tests.workflows.conftest import Running
from tests.workflows.driver import MENTOR, PEERS, Actors, appraisal_input, drive, seed_unit, start

# preset -> (results, behaviour, community score, expected grade, outcome, awards)
CASES = {
    "national": (Rating.MEETS, Rating.MEETS, None, Grade.BAIK, OutcomeKind.DEVELOPMENT, []),
    "tebingtinggi": (
        Rating.ABOVE,
        Rating.ABOVE,
        None,
        Grade.SANGAT_BAIK,
        OutcomeKind.AWARD,
        [AwardKind.CERTIFICATE],
    ),
    "bukittinggi": (Rating.MEETS, Rating.ABOVE, None, Grade.BAIK, OutcomeKind.DEVELOPMENT, []),
    "tanjungbalai": (
        Rating.MEETS,
        Rating.MEETS,
        None,
        Grade.BAIK,
        OutcomeKind.AWARD,
        [AwardKind.CERTIFICATE],
    ),
    # citizens rated the unit 3.0, under Binjai's floor of 3.5: behaviour is capped at meets
    "binjai": (Rating.ABOVE, Rating.ABOVE, 3.0, Grade.BAIK, OutcomeKind.DEVELOPMENT, []),
    "wanggar": (
        Rating.BELOW,
        Rating.MEETS,
        None,
        Grade.BUTUH_PERBAIKAN,
        OutcomeKind.MENTORSHIP,
        [],
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
async def test_whole_year_per_preset(running: Running, name: str) -> None:
    policy = PRESETS[name]
    results, behaviour, community, grade, kind, awards = CASES[name]
    roster_id = f"roster-{uuid.uuid4()}"
    await seed_unit(running, roster_id)
    inp = appraisal_input(policy, roster_id=roster_id, community_score=community)
    handle = await start(running, inp)

    state = await drive(running, handle, Actors(policy, results=results, behaviour=behaviour))
    result = await handle.result()

    assert state.stage is Stage.DONE and result.stage is Stage.DONE
    assert result.grade_computed is grade and result.grade_final is grade
    assert result.outcome is not None
    assert result.outcome.kind is kind and result.outcome.awards == awards
    periods = policy.report_period.per_year
    assert [p.report_status for p in state.periods] == ["done"] * periods
    assert [p.feedback_status for p in state.periods] == ["done"] * periods
    if name == "binjai":
        assert state.assessment is not None and state.assessment.behaviour_capped
    if name == "bukittinggi":
        assert state.peer is not None and state.peer.responded == 3 and state.peer.shown
    if name == "wanggar":
        assert result.mentor_nip == MENTOR and state.mentor_status is MentorStatus.ACTIVE

    async with running.sessions() as session:
        rows = await list_tasks(session, appraisal_id=handle.id, limit=200)
        row = await get_appraisal(session, handle.id)
        outcome = await get_outcome(session, handle.id)
    kinds = [t.kind for t in rows]
    peers = len(PEERS) if policy.peer.enabled else 0
    mentor = 1 if kind is OutcomeKind.MENTORSHIP else 0
    assert len(rows) == 2 + 2 * periods + peers + 1 + mentor
    assert all(t.status is TaskStatus.DONE for t in rows)
    assert kinds.count(TaskKind.SELF_REPORT) == periods
    assert kinds.count(TaskKind.PEER_FEEDBACK) == peers
    assert row is not None and row.stage == "done" and row.grade_final is grade
    assert outcome is not None and outcome.kind is kind and outcome.grade is grade
    if mentor:
        assert outcome.mentor_nip == MENTOR and outcome.mentor_status is MentorStatus.ACTIVE
    assert await handle.query(AppraisalWorkflow.state) == state
