"""My team: the appraisals a supervisor or superior stands above, each with its employee's name
from the roster, its open tasks and how many of them are overdue; for its appraiser, where the
development plan stands."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from appraisal_engine.domain.records import AppraisalRecord, AppraisalStatus, TaskRecord
from appraisal_engine.domain.tasks import TaskKind
from appraisal_engine.services.access import Caller
from appraisal_engine.services.development import PlanView, view_of
from appraisal_engine.services.people import employee_names
from appraisal_engine.store.repositories.appraisals import list_appraisals
from appraisal_engine.store.repositories.development import plans_for
from appraisal_engine.store.repositories.tasks import open_tasks_of


class WaitingFor(StrEnum):
    """Whose move an open task waits for, as a supervisor may know it."""

    EMPLOYEE = "employee"
    YOU = "you"
    PEER = "peer"  # never which peer: only HR and auditors learn who the peers are
    OTHER = "other"  # someone else in the appraisal's chain (a superior, the appeals officer)


class TeamTask(BaseModel):
    """One open task of a team member's appraisal."""

    kind: TaskKind
    due_at: datetime
    period: int | None
    escalated: bool
    overdue: bool
    waiting_for: WaitingFor
    assignee_nip: str | None  # None for a peer's task


class TeamMember(BaseModel):
    """One appraisal the caller stands above."""

    appraisal: AppraisalRecord
    name: str | None  # None when no roster snapshot holds the NIP
    open_tasks: list[TeamTask]
    plan: PlanView | None = None  # the development plan: shown to its appraiser alone

    @property
    def overdue(self) -> int:
        """How many of its open tasks are past their deadline."""
        return sum(t.overdue for t in self.open_tasks)


def _team_task(task: TaskRecord, who: Caller, now: datetime) -> TeamTask:
    if task.kind is TaskKind.PEER_FEEDBACK:
        waiting, assignee = WaitingFor.PEER, None
    elif task.assignee_nip == who.nip:
        waiting, assignee = WaitingFor.YOU, task.assignee_nip
    elif task.assignee_nip == task.employee_nip:
        waiting, assignee = WaitingFor.EMPLOYEE, task.assignee_nip
    else:
        waiting, assignee = WaitingFor.OTHER, task.assignee_nip
    return TeamTask(
        kind=task.kind,
        due_at=task.due_at,
        period=task.period,
        escalated=task.escalated,
        overdue=task.due_at < now,
        waiting_for=waiting,
        assignee_nip=assignee,
    )


async def team_of(
    session: AsyncSession,
    who: Caller,
    *,
    now: datetime,
    running_only: bool = True,
    limit: int = 200,
    offset: int = 0,
) -> list[TeamMember]:
    """The appraisals where the caller is the appraiser or the appraiser's superior, whatever
    their roles (an HR officer's team is the people they appraise), by id; with
    `running_only`, only years still running. Peers' tasks are shown without naming the
    peer."""
    status = AppraisalStatus.RUNNING if running_only else None
    records = await list_appraisals(
        session, stands_above=who.nip, status=status, limit=limit, offset=offset
    )
    ids = [r.id for r in records]
    by_appraisal: dict[str, list[TeamTask]] = {i: [] for i in ids}
    for task in await open_tasks_of(session, ids):
        by_appraisal[task.appraisal_id].append(_team_task(task, who, now))
    names = await employee_names(session, records)
    # The superior stands above the appraisal but is not among a plan's readers.
    plans = await plans_for(session, [r.id for r in records if r.supervisor_nip == who.nip])
    return [
        TeamMember(
            appraisal=r,
            name=names.get(r.employee_nip),
            open_tasks=by_appraisal[r.id],
            plan=view_of(plans[r.id], now) if r.id in plans else None,
        )
        for r in records
    ]
