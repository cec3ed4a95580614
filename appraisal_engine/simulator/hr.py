"""HR in a simulated year: departures and transfers on their day, each unit calibrated once its
reviews are in, and the keberatan its employees file a day after its grades are released."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio.client import Client

from appraisal_engine.client.starters import CycleHandle
from appraisal_engine.domain.calendar import closes_after
from appraisal_engine.domain.stages import BEFORE_CALIBRATION, Stage
from appraisal_engine.simulator.calibration import Calibrated, calibrate_unit
from appraisal_engine.simulator.inbox import unit_grades
from appraisal_engine.simulator.script import Script
from appraisal_engine.store.repositories.appraisals import list_appraisals
from appraisal_engine.workflows.appraisal.workflow import AppraisalWorkflow
from appraisal_engine.workflows.cycle_messages import CycleStatus
from appraisal_engine.workflows.ids import appraisal_workflow_id
from appraisal_engine.workflows.messages import CancelInput, FileAppealInput, ReassignInput


@dataclass
class Tally:
    """What HR and the employees did beyond answering tasks."""

    appeals_filed: int = 0
    transfers: int = 0
    units: dict[str, Calibrated | None] = field(default_factory=dict)  # None: nobody left


class SimHr:
    """HR's steps, each taken once, when its moment has come."""

    def __init__(
        self,
        client: Client,
        sessions: async_sessionmaker[AsyncSession],
        cycle: CycleHandle,
        cycle_id: str,
        script: Script,
        *,
        hr_nip: str,
    ) -> None:
        self.client, self.sessions, self.cycle, self.cycle_id = client, sessions, cycle, cycle_id
        self.script, self.hr_nip = script, hr_nip
        self.tally = Tally()
        self.steps = sorted(
            [(script.on_day(d.day), "cancel", d.nip, d.reason) for d in script.departures]
            + [(script.on_day(t.day), "reassign", t.nip, "") for t in script.transfers]
        )
        self.transfers = {t.nip: t for t in script.transfers}
        self.released: dict[str, datetime] = {}
        # Appeals come a day after release, or halfway through a window shorter than that.
        self.window = timedelta(days=script.policy.appeal_window_days)
        self.appeal_after = min(timedelta(days=1), self.window / 2)
        self.appeals_open: set[str] = set()  # released units whose employees may still appeal

    def coming(self) -> list[datetime]:
        """When HR or the employees will act next, without being asked."""
        appeals = [self.released[u] + self.appeal_after for u in self.appeals_open]
        return [at for at, *_ in self.steps] + appeals

    def appeal_windows_closing(self) -> list[datetime]:
        """When the released units' appeal windows close: each opens on release."""
        policy = self.script.policy
        return [
            closes_after(at, policy.appeal_window_days, policy.time_zone)
            for at in self.released.values()
        ]

    async def act(self, now: datetime, status: CycleStatus) -> bool:
        """Every step that is due: departures, transfers, calibration, then appeals filed."""
        moved = await self._people(now)
        calibrated = await self._calibrate(now, status)
        appealed = False
        for unit in sorted(self.appeals_open):
            if now >= self.released[unit] + self.appeal_after:
                self.appeals_open.discard(unit)
                appealed = await self._appeals(unit) or appealed
        return moved or calibrated or appealed

    async def _people(self, now: datetime) -> bool:
        """Departures and transfers whose day has come."""
        acted = False
        while self.steps and self.steps[0][0] <= now:
            _, step, nip, reason = self.steps.pop(0)
            handle = self.client.get_workflow_handle(appraisal_workflow_id(self.cycle_id, nip))
            if step == "cancel":
                inp = CancelInput(actor_nip=self.hr_nip, reason=reason)
                await handle.execute_update(AppraisalWorkflow.cancel, inp)
            else:
                t = self.transfers[nip]
                move = ReassignInput(
                    actor_nip=self.hr_nip,
                    supervisor_nip=t.supervisor_nip,
                    superior_nip=t.superior_nip,
                    reason="mutasi jabatan atasan",
                )
                await handle.execute_update(AppraisalWorkflow.reassign, move)
                self.tally.transfers += 1
            acted = True
        return acted

    async def _calibrate(self, now: datetime, status: CycleStatus) -> bool:
        """Calibrate each unit whose reviews are all in, once."""
        acted = False
        for unit, progress in sorted(status.units.items()):
            waiting = sum(progress.stages.get(s, 0) for s in BEFORE_CALIBRATION)
            if unit in self.tally.units or not status.launch_done or waiting:
                continue
            grades = await unit_grades(self.sessions, self.cycle_id, unit)
            self.tally.units[unit] = None
            if grades:
                self.tally.units[unit] = await calibrate_unit(
                    self.cycle,
                    unit,
                    self.script.unit_rating(unit),
                    grades,
                    curve=self.script.policy.curve,
                    rounding=self.script.policy.curve_rounding,
                    actor_nip=self.hr_nip,
                    merit=lambda appraisal_id: self.script.merit(appraisal_id[-18:]),
                )
                self.released[unit] = now
                self.appeals_open.add(unit)
            acted = True
        return acted

    async def _appeals(self, unit: str) -> bool:
        """The employees of a released unit who object to their grade file a keberatan."""
        async with self.sessions() as session:
            rows = await list_appraisals(
                session, cycle_id=self.cycle_id, unit_code=unit, stage=Stage.APPEAL, limit=None
            )
        filed = 0
        for row in rows:
            grade = row.grade_final
            if grade is None or not self.script.appeals(row.employee_nip, grade):
                continue
            await self.client.get_workflow_handle(row.id).execute_update(
                AppraisalWorkflow.file_appeal,
                FileAppealInput(
                    actor_nip=row.employee_nip,
                    reason="Capaian dan bukti dukung belum dipertimbangkan sepenuhnya",
                ),
            )
            filed += 1
        self.tally.appeals_filed += filed
        return filed > 0
