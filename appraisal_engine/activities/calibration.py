"""The cycle's calibration fan-out: reading a unit's grades, releasing the calibrated ones to
their appraisals, and passing a unit's community score on to them."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio import activity
from temporalio.client import Client

from appraisal_engine.activities.fanout import signal_each
from appraisal_engine.activities.rosters import RosterCache
from appraisal_engine.domain.calibration import UnitGrade
from appraisal_engine.store.repositories.appraisals import set_final_grades
from appraisal_engine.store.repositories.grades import unit_grades_of
from appraisal_engine.workflows import io
from appraisal_engine.workflows.appraisal.workflow import AppraisalWorkflow
from appraisal_engine.workflows.cycle_messages import ReleaseUnit, UnitBroadcast, UnitQuery
from appraisal_engine.workflows.ids import appraisal_workflow_id
from appraisal_engine.workflows.messages import CommunityScore, ReleaseGrade


class CalibrationActivities:
    """What calibrating a unit reads, and the signals that carry its outcome to the appraisals."""

    def __init__(
        self,
        client: Client,
        session_factory: async_sessionmaker[AsyncSession],
        rosters: RosterCache,
        *,
        concurrency: int = 100,
    ) -> None:
        self._client, self._sessions, self._rosters = client, session_factory, rosters
        self._concurrency = concurrency

    @activity.defn(name=io.UNIT_GRADES)
    async def unit_grades(self, query: UnitQuery) -> list[UnitGrade]:
        """The unit's appraisals that have a computed grade, with any released one."""
        async with self._sessions() as session:
            return await unit_grades_of(session, query.cycle_id, query.unit_code)

    @activity.defn(name=io.RELEASE_UNIT)
    async def release_unit(self, release: ReleaseUnit) -> int:
        """Record the final grades, then signal each appraisal its own; a closed one needs none.

        Writing first means a second calibration right after this one sees them released."""
        async with self._sessions() as session, session.begin():
            await set_final_grades(session, {g.appraisal_id: g.grade for g in release.grades})
        messages = (
            (
                g.appraisal_id,
                ReleaseGrade(
                    grade=g.grade, adjusted=g.adjusted, reason=g.reason, actor_nip=release.actor_nip
                ),
            )
            for g in release.grades
        )
        return await signal_each(
            self._client,
            AppraisalWorkflow.release_grade,
            messages,
            concurrency=self._concurrency,
        )

    @activity.defn(name=io.BROADCAST_COMMUNITY)
    async def broadcast_community(self, broadcast: UnitBroadcast) -> int:
        """Pass a unit's community score to each of its appraisals."""
        roster = await self._rosters.get(broadcast.roster_id, None)
        msg = CommunityScore(unit_code=broadcast.unit_code, score=broadcast.score)
        messages = (
            (appraisal_workflow_id(broadcast.cycle_id, e.nip), msg)
            for e in roster.employees
            if e.unit_code == broadcast.unit_code
        )
        return await signal_each(
            self._client,
            AppraisalWorkflow.community_score,
            messages,
            concurrency=self._concurrency,
        )
