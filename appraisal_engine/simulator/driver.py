"""The simulated year's loop: answer what is due, let HR act, then skip time to the next event.

Under the time-skipping server the clock runs no faster than a wall clock while the loop works,
and jumps when it sleeps; the loop always wakes a little after an event and never as a workflow
timer fires, so every answer lands where the script put it, whatever the machine's speed."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio.testing import WorkflowEnvironment

from appraisal_engine.client.starters import CycleHandle
from appraisal_engine.domain.records import TaskRecord
from appraisal_engine.domain.schedule import DayCount
from appraisal_engine.domain.stages import FINISHED
from appraisal_engine.domain.tasks import TaskKind
from appraisal_engine.simulator.actors import SimActors
from appraisal_engine.simulator.hr import SimHr, Tally
from appraisal_engine.simulator.inbox import answer_tasks, open_tasks
from appraisal_engine.simulator.script import Script
from appraisal_engine.workflows.cycle import CycleWorkflow
from appraisal_engine.workflows.cycle_messages import CycleStatus

Progress = Callable[[int, int], None]  # appraisals closed, simulated day
SLACK = timedelta(hours=1)  # wake a little after an event, so everything it set off has run
RACE = timedelta(minutes=10)  # never wake this close to a workflow timer
SAFETY_STEP = timedelta(days=30)  # never sleep longer, in case an event was not foreseen
MAX_YEARS = 3


class YearDriver:
    """Drives one cycle to its close with the script's actors and HR."""

    def __init__(
        self,
        env: WorkflowEnvironment,
        sessions: async_sessionmaker[AsyncSession],
        cycle: CycleHandle,
        cycle_id: str,
        script: Script,
        *,
        hr_nip: str,
        launched_at: datetime,
        on_progress: Progress | None = None,
    ) -> None:
        self.env, self.sessions, self.cycle, self.cycle_id = env, sessions, cycle, cycle_id
        self.script, self.on_progress, self.launched_at = script, on_progress, launched_at
        self.actors = SimActors(script)
        self.hr = SimHr(env.client, sessions, cycle, cycle_id, script, hr_nip=hr_nip)
        self.days = DayCount(script.policy)  # a simulated cycle starts after the zones' patch
        self.period_ends = self.days.period_ends(script.year_start)

    @property
    def tally(self) -> Tally:
        """What HR and the employees did beyond answering tasks."""
        return self.hr.tally

    async def run(self) -> datetime:
        """Drive the cycle until it closes; the moment it did."""
        limit = self.script.year_start + timedelta(days=365 * MAX_YEARS)
        # Every look at the inbox comes a little after the last step: some reactions run on
        # after an answer returns (targets cascading down through an activity, say), and the
        # server only skips time once nothing is running, so by then they have all landed.
        await self.env.sleep(SLACK)
        while True:
            now = await self.env.get_current_time()
            tasks = await open_tasks(self.sessions, self.cycle_id)
            due = [t for t in tasks if (at := self.script.answer_at(t)) is not None and at <= now]
            if due:
                await answer_tasks(self.env.client, due, self.actors.body)
                await self.env.sleep(self._wake(now, now, tasks) - now)
                continue
            status: CycleStatus = await self.cycle.query(CycleWorkflow.status)
            if self.on_progress is not None:
                closed = sum(u.stages.get(s, 0) for u in status.units.values() for s in FINISHED)
                self.on_progress(closed, (now - self.script.year_start).days)
            if status.closed:
                return now
            if now > limit:
                raise RuntimeError(f"the cycle did not close in {MAX_YEARS} simulated years")
            acted = await self.hr.act(now, status)
            after = now if acted else self._next_event(now, tasks)
            await self.env.sleep(self._wake(now, after, tasks) - now)

    def _wake(self, now: datetime, after: datetime, tasks: list[TaskRecord]) -> datetime:
        """A little after `after`, and never as a workflow timer fires: the inbox read then
        could catch a task half moved (say, escalated but not yet reassigned)."""
        timers = self._timers(tasks, reminders=True)
        wake = after + SLACK
        while near := [t for t in timers if abs(t - wake) < RACE]:
            wake = max(near) + SLACK
        return max(wake, now + timedelta(seconds=1))

    def _timers(self, tasks: list[TaskRecord], *, reminders: bool = False) -> list[datetime]:
        """When a workflow timer fires: a task's reminder (if asked for), escalation and fallback,
        a period's end, an appeal window closing, a cascading wait running out."""
        policy = self.script.policy
        starts = (self.script.year_start, self.launched_at)  # each appraisal's wait began then
        times = [*self.period_ends, *(self.days.due(at, TaskKind.TARGETS_DRAFT) for at in starts)]
        times += self.hr.appeal_windows_closing()
        for t in tasks:
            rule = policy.rule(t.kind)
            times += [t.due_at, self.days.after(t.due_at, rule.escalation_days)]
            if reminders:
                times.append(t.due_at - timedelta(days=rule.remind_before_days))
        return times

    def _next_event(self, now: datetime, tasks: list[TaskRecord]) -> datetime:
        """The earliest moment something can happen: a timer that may open or move a task (a
        reminder does neither), an answer, an HR step, an appeal to file."""
        times = [now + SAFETY_STEP, *self._timers(tasks), *self.hr.coming()]
        times += [at for t in tasks if (at := self.script.answer_at(t)) is not None]
        return min(t for t in times if t > now)
