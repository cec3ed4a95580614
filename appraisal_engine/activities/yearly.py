"""The year's ends of a cycle: launching it from a yearly schedule, and its closing summary."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio import activity
from temporalio.client import Client
from temporalio.exceptions import ApplicationError

from appraisal_engine.client.starters import launch_cycle
from appraisal_engine.store.repositories.reports import cycle_figures
from appraisal_engine.store.repositories.rosters import latest_roster
from appraisal_engine.workflows import io
from appraisal_engine.workflows.cycle_messages import (
    CycleSummary,
    Launched,
    LaunchRequest,
    UnitSummary,
)


class YearlyActivities:
    """Launch a year's cycle for a schedule, and report on a cycle when it closes."""

    def __init__(
        self, client: Client, session_factory: async_sessionmaker[AsyncSession], task_queue: str
    ) -> None:
        self._client, self._sessions, self._queue = client, session_factory, task_queue

    @activity.defn(name=io.LAUNCH_CYCLE)
    async def launch_cycle(self, request: LaunchRequest) -> Launched:
        """Launch (or find) a year's cycle, from the organisation's latest roster if none named."""
        roster_id = request.roster_id
        if roster_id is None:
            async with self._sessions() as session:
                latest = await latest_roster(session, request.org)
            if latest is None:
                raise ApplicationError(
                    f"no roster stored for {request.org!r}",
                    type="RosterNotFound",
                    non_retryable=True,
                )
            roster_id = latest.id
        handle = await launch_cycle(
            self._client,
            org=request.org,
            year=request.year,
            roster_id=roster_id,
            policy=request.policy,
            task_queue=self._queue,
        )
        return Launched(cycle_workflow_id=handle.id, roster_id=roster_id)

    @activity.defn(name=io.CYCLE_SUMMARY)
    async def cycle_summary(self, cycle_id: str) -> CycleSummary:
        """The closing report, from the read model and the audit log."""
        async with self._sessions() as session:
            f = await cycle_figures(session, cycle_id)
        units = sorted(set(f.grades_by_unit) | set(f.cancelled_by_unit))
        return CycleSummary(
            cycle_id=cycle_id,
            units={
                u: UnitSummary(
                    grades=f.grades_by_unit.get(u, {}), cancelled=f.cancelled_by_unit.get(u, 0)
                )
                for u in units
            },
            awards=f.awards,
            outcomes=f.outcomes,
            mentorships=f.mentorships,
            appeals=f.appeals,
            overdue=f.overdue,
        )
