"""What follows the grade, a whole year under each of the two presets that shape it: Tebingtinggi
trains the underperformer through a plan with courses and a follow-up date; Wanggar gives a
mentor who is an experienced leader, and plans both technical and soft skills. And the policy
that lets the supervisor mentor, against the one that does not."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from appraisal_engine.api.auth import Principal
from appraisal_engine.domain.calendar import local_date
from appraisal_engine.domain.development import PlanItem, SkillKind
from appraisal_engine.domain.employee import Employee, PositionLevel
from appraisal_engine.domain.mentors import MentorRules
from appraisal_engine.domain.outcome import OutcomeKind
from appraisal_engine.domain.policy import MentorPolicy, Policy
from appraisal_engine.domain.presets import PRESETS
from appraisal_engine.domain.ratings import Grade, Rating
from appraisal_engine.domain.records import AppraisalRecord, MentorStatus
from appraisal_engine.services import development
from appraisal_engine.services.appraisal_policy import policy_of
from appraisal_engine.services.errors import Invalid
from appraisal_engine.store.repositories.appraisals import get_appraisal
from appraisal_engine.store.repositories.outcomes import get_outcome
from tests.workflows.conftest import Running
from tests.workflows.driver import (
    EMPLOYEE,
    MENTOR,
    SUPERVISOR,
    Actors,
    appraisal_input,
    drive,
    seed_unit,
    start,
)

# A section head of six years' service, with a NIP below the senior mentor's: the one matched
# first by a policy without rules, passed over by Wanggar's ten years.
JUNIOR_LEADER = "197901012020011050"


def junior_leader() -> Employee:
    return Employee(
        nip=JUNIOR_LEADER,
        name="Kasi Baru",
        unit_code="DUKCAPIL",
        unit_name="Dinas Dukcapil",
        position="Kepala Seksi",
        position_level=PositionLevel.PENGAWAS,
        supervisor_nip=SUPERVISOR,
    )


async def below_standard_year(
    running: Running, policy: Policy, extra: list[Employee] | None = None
) -> AppraisalRecord:
    """An employee's year whose results fall below: Butuh Perbaikan; the row at its end."""
    roster_id = f"roster-{uuid.uuid4()}"
    await seed_unit(running, roster_id, extra)
    handle = await start(running, appraisal_input(policy, roster_id=roster_id))
    actors = Actors(policy, results=Rating.BELOW, behaviour=Rating.MEETS)
    await drive(running, handle, actors)
    result = await handle.result()
    assert result.grade_final is Grade.BUTUH_PERBAIKAN
    async with running.sessions() as session:
        record = await get_appraisal(session, handle.id)
    assert record is not None
    return record


async def plan_as_supervisor(
    running: Running, record: AppraisalRecord, items: list[PlanItem], **more: object
) -> development.PlanView:
    async with running.sessions() as session:
        return await development.make_plan(
            session,
            running.sessions,
            Principal(nip=SUPERVISOR),
            record.id,
            items=items,
            policy_of=lambda r: policy_of(running.client, r.id),
            now=await running.env.get_current_time(),
            **more,  # type: ignore[arg-type]
        )


async def test_tebingtinggi_trains_the_underperformer_through_a_plan(running: Running) -> None:
    policy = PRESETS["tebingtinggi"]
    record = await below_standard_year(running, policy)
    async with running.sessions() as session:
        outcome = await get_outcome(session, record.id)
    # Training, not a mentor: no mentorship task was offered.
    assert outcome is not None and outcome.kind is OutcomeKind.DEVELOPMENT
    assert outcome.mentor_status is MentorStatus.NONE
    today = local_date(await running.env.get_current_time(), policy.time_zone)
    courses = [
        PlanItem(kind=SkillKind.TECHNICAL, course="Diklat SIAK", due_on=today + timedelta(30))
    ]
    with pytest.raises(Invalid) as refused:  # a label is not enough: a date to follow it up
        await plan_as_supervisor(running, record, courses, follow_up_on=None)
    assert [i.field for i in refused.value.issues] == ["follow_up_on"]
    made = await plan_as_supervisor(running, record, courses, follow_up_on=today + timedelta(183))
    assert made.plan.follow_up_on == today + timedelta(183)
    async with running.sessions() as session:
        mine = await development.read_plan(
            session,
            Principal(nip=EMPLOYEE),
            record.id,
            now=await running.env.get_current_time(),
            sessions=running.sessions,
        )
    assert mine.plan.items[0].course == "Diklat SIAK"


async def test_wanggar_mentors_are_experienced_leaders_and_plans_train_soft_skills(
    running: Running,
) -> None:
    policy = PRESETS["wanggar"]
    record = await below_standard_year(running, policy, extra=[junior_leader()])
    async with running.sessions() as session:
        outcome = await get_outcome(session, record.id)
    # The junior section head, first by NIP, has six years: the twenty-year one mentors.
    assert outcome is not None and outcome.kind is OutcomeKind.MENTORSHIP
    assert outcome.mentor_nip == MENTOR and outcome.mentor_status is MentorStatus.ACTIVE
    today = local_date(await running.env.get_current_time(), policy.time_zone)
    technical = PlanItem(kind=SkillKind.TECHNICAL, course="Arsip digital", due_on=today)
    with pytest.raises(Invalid, match="soft"):
        await plan_as_supervisor(running, record, [technical], follow_up_on=None)
    soft = PlanItem(kind=SkillKind.SOFT, course="Komunikasi publik", due_on=today)
    made = await plan_as_supervisor(running, record, [technical, soft], follow_up_on=None)
    assert {i.kind for i in made.plan.items} == {SkillKind.TECHNICAL, SkillKind.SOFT}


async def test_without_rules_the_junior_leader_mentors_as_before(running: Running) -> None:
    record = await below_standard_year(running, PRESETS["national"], extra=[junior_leader()])
    async with running.sessions() as session:
        outcome = await get_outcome(session, record.id)
    assert outcome is not None and outcome.mentor_nip == JUNIOR_LEADER


@pytest.mark.parametrize("allowed", [True, False])
async def test_the_supervisor_mentors_only_where_the_policy_says(
    running: Running, allowed: bool
) -> None:
    # Administrators and above only: the section head is out, the supervisor (an administrator)
    # is the one left, the head of office hearing appeals staying out either way.
    rules = MentorRules(min_level=PositionLevel.ADMINISTRATOR)
    mentor = MentorPolicy(rules=rules, supervisor_may_mentor=allowed)
    policy = PRESETS["national"].model_copy(update={"mentor": mentor})
    record = await below_standard_year(running, policy)
    async with running.sessions() as session:
        outcome = await get_outcome(session, record.id)
    assert outcome is not None
    if allowed:
        assert outcome.kind is OutcomeKind.MENTORSHIP and outcome.mentor_nip == SUPERVISOR
    else:
        assert outcome.kind is OutcomeKind.COACHING and outcome.mentor_nip is None
        assert "no_mentor_available" in record.flags
