"""Who takes over an appraisal's open tasks when HR moves it to a new appraiser."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from appraisal_engine.domain.presets import NATIONAL
from appraisal_engine.domain.reassignment import Appraisers, handover_due, taken_over_by
from appraisal_engine.domain.tasks import TaskKind

OLD = Appraisers(supervisor_nip="old-appraiser", superior_nip="old-superior")
NEW_APPRAISER = Appraisers(supervisor_nip="new-appraiser", superior_nip="old-superior")
NEW_SUPERIOR = Appraisers(supervisor_nip="old-appraiser", superior_nip="new-superior")


def test_the_appraisers_own_tasks_follow_the_new_appraiser() -> None:
    for kind in (TaskKind.TARGETS_APPROVE, TaskKind.FEEDBACK, TaskKind.REVIEW):
        to = taken_over_by(kind, "old-appraiser", escalated=False, before=OLD, after=NEW_APPRAISER)
        assert to == "new-appraiser"


def test_the_employees_and_the_peers_tasks_stay() -> None:
    for kind, assignee in [
        (TaskKind.TARGETS_DRAFT, "employee"),
        (TaskKind.SELF_REPORT, "employee"),
        (TaskKind.PEER_FEEDBACK, "old-appraiser"),  # an appraiser may also be a peer
    ]:
        assert (
            taken_over_by(kind, assignee, escalated=False, before=OLD, after=NEW_APPRAISER) is None
        )


def test_a_new_superior_alone_reissues_the_appraisers_tasks_to_the_same_appraiser() -> None:
    to = taken_over_by(
        TaskKind.REVIEW, "old-appraiser", escalated=False, before=OLD, after=NEW_SUPERIOR
    )
    assert to == "old-appraiser"


def test_escalated_tasks_and_the_appeal_follow_a_new_superior() -> None:
    escalated = taken_over_by(
        TaskKind.REVIEW, "old-superior", escalated=True, before=OLD, after=NEW_SUPERIOR
    )
    appeal = taken_over_by(
        TaskKind.APPEAL_DECIDE, "old-superior", escalated=False, before=OLD, after=NEW_SUPERIOR
    )
    assert escalated == appeal == "new-superior"
    # Nothing the superior holds moves while the superior stays.
    assert (
        taken_over_by(
            TaskKind.APPEAL_DECIDE, "old-superior", escalated=True, before=OLD, after=NEW_APPRAISER
        )
        is None
    )


def test_a_task_taken_over_keeps_its_deadline_or_gets_a_full_term() -> None:
    rule = NATIONAL.rule(TaskKind.REVIEW)
    now = datetime(2025, 12, 1, tzinfo=UTC)
    term = now + timedelta(days=rule.due_days)
    later = term + timedelta(days=3)
    assert handover_due(later, now, rule) == later
    assert handover_due(now + timedelta(days=1), now, rule) == term
