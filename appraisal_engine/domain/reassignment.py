"""Who takes over an appraisal's open tasks when HR moves it to a new appraiser (a mid-year
transfer, an acting official), and by when."""

from __future__ import annotations

from datetime import datetime

from appraisal_engine.domain.calendar import days
from appraisal_engine.domain.model import Value
from appraisal_engine.domain.policy import TaskRule
from appraisal_engine.domain.tasks import SUPERVISOR_KINDS, TaskKind


class Appraisers(Value):
    """The appraiser (pejabat penilai) and the superior who hears appeals and escalations."""

    supervisor_nip: str
    superior_nip: str


def taken_over_by(
    kind: TaskKind, assignee: str, *, escalated: bool, before: Appraisers, after: Appraisers
) -> str | None:
    """The new assignee of an open task, or None when it stays where it is.

    The appraiser's own kinds held by the appraiser before go to the appraiser after, reissued
    even when only the superior changed; the superior's escalated tasks and the appeal follow a
    new superior."""
    if kind in SUPERVISOR_KINDS and assignee == before.supervisor_nip:
        return after.supervisor_nip
    if (
        assignee == before.superior_nip
        and after.superior_nip != before.superior_nip
        and (escalated or kind is TaskKind.APPEAL_DECIDE)
    ):
        return after.superior_nip
    return None


def handover_due(due_at: datetime, now: datetime, rule: TaskRule) -> datetime:
    """A task taken over keeps its deadline, or gets the kind's full term from now if later."""
    return max(due_at, now + days(rule.due_days))
