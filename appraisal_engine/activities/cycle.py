"""The cycle's side effects: planning and starting appraisals in batches, reading a unit's
grades, releasing them, passing community scores on, and the closing figures."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Iterable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio import activity
from temporalio.client import Client, WorkflowHandle
from temporalio.common import (
    SearchAttributePair,
    TypedSearchAttributes,
    WorkflowIDReusePolicy,
)
from temporalio.exceptions import ApplicationError, WorkflowAlreadyStartedError
from temporalio.service import RPCError, RPCStatusCode

from appraisal_engine.domain.appeals import superior_in
from appraisal_engine.domain.errors import DomainError
from appraisal_engine.domain.launch import LaunchRefused, check_launch
from appraisal_engine.domain.records import AppraisalRecord
from appraisal_engine.domain.roster import Roster, validate_roster
from appraisal_engine.domain.stages import Stage
from appraisal_engine.store.repositories.appraisals import (
    add_new_appraisals,
    list_graded,
    set_final_grades,
)
from appraisal_engine.store.repositories.reports import cycle_figures
from appraisal_engine.store.repositories.rosters import latest_roster, list_employees
from appraisal_engine.workflows import search_attributes as sa
from appraisal_engine.workflows.appraisal import AppraisalWorkflow
from appraisal_engine.workflows.cycle_messages import (
    CycleSummary,
    LaunchBatch,
    Launched,
    LaunchPlan,
    LaunchRequest,
    LaunchResult,
    PlanRequest,
    ReleaseUnit,
    UnitBroadcast,
    UnitGrade,
    UnitQuery,
    UnitSummary,
)
from appraisal_engine.workflows.errors import POLICY_INCOMPLETE
from appraisal_engine.workflows.ids import appraisal_workflow_id
from appraisal_engine.workflows.messages import AppraisalInput, CommunityScore, ReleaseGrade
from appraisal_engine.workflows.opening import opening_record
from appraisal_engine.workflows.starters import launch_cycle

# Opening rows stored per transaction while a launch batch's starts go on. Storing a whole
# batch's rows after its last start held the next batch back by about a second in ten (see
# CHANGELOG.md, 2026-12-01).
ROWS_PER_WRITE = 500

# A launch batch heartbeats on this clock, not only after each start: it may wait at the
# worker's start gate behind the batch before it, then for its last rows to be stored.
HEARTBEAT_EVERY = 5.0


def _appraisal_input(batch: LaunchBatch, roster: Roster, nip: str) -> AppraisalInput:
    """What one appraisal of the batch starts with: its place in the roster snapshot."""
    e = roster.by_nip(nip)
    peers = batch.policy.peer
    return AppraisalInput(
        cycle_id=batch.cycle_id,
        cycle_workflow_id=batch.cycle_workflow_id,
        roster_id=batch.roster_id,
        employee_nip=nip,
        unit_code=e.unit_code,
        position_level=e.position_level,
        supervisor_nip=roster.supervisor_of(nip),
        superior_nip=superior_in(batch.policy, roster, nip),
        supervisor_in_cycle=e.supervisor_nip is not None,
        subordinate_nips=roster.subordinates_of(nip),
        peer_nips=roster.peers_of(nip, peers.peers_per_employee) if peers.enabled else [],
        policy=batch.policy,
        year_start=batch.year_start,
        row_stored=True,
    )


class _OpeningRows:
    """A launch batch's opening rows, stored `per_write` at a time while its starts go on: one
    write at a time, in order. A row already there has moved on and is kept. Once a write has
    failed, `add` raises its error, so the batch stops starting and fails; `close` stores the
    rest, waits for every write, and raises a failed write's error."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], per_write: int) -> None:
        self._sessions, self._per_write = sessions, per_write
        self._pending: list[AppraisalRecord] = []
        self._writes: list[asyncio.Task[None]] = []
        self._closed = False

    def add(self, row: AppraisalRecord) -> None:
        last = self._writes[-1] if self._writes else None
        if last is not None and last.done() and not last.cancelled():
            error = last.exception()
            if error is not None:
                raise error
        self._pending.append(row)
        if len(self._pending) >= self._per_write and not self._closed:
            self._flush()

    def _flush(self) -> None:
        rows, self._pending = self._pending, []
        previous = self._writes[-1] if self._writes else None
        self._writes.append(asyncio.create_task(self._write(previous, rows)))

    async def _write(
        self, previous: asyncio.Task[None] | None, rows: list[AppraisalRecord]
    ) -> None:
        if previous is not None:
            await previous
        async with self._sessions() as session, session.begin():
            await add_new_appraisals(session, rows)

    async def close(self) -> None:
        """Store what is left and wait for every write. Rows added later are not stored: a
        start still running when its batch failed leaves its row to the batch's retry. Should
        the wait itself be cancelled, every write still pending is cancelled and awaited."""
        self._closed = True
        if self._pending:
            self._flush()
        if not self._writes:
            return
        try:
            await self._writes[-1]
        except BaseException:
            for write in self._writes:
                write.cancel()
            await asyncio.gather(*self._writes, return_exceptions=True)
            raise

    async def close_after_failure(self) -> None:
        """`close` for a batch that failed of its own error, which stays the error it fails
        with: a write that failed too is logged, and its rows are the retry's to store."""
        try:
            await self.close()
        except Exception as e:
            activity.logger.warning("a failed batch's rows not all stored: %s", type(e).__name__)


class CycleActivities:
    """Side effects of CycleWorkflow; rosters are immutable snapshots, so they are cached."""

    def __init__(
        self,
        client: Client,
        session_factory: async_sessionmaker[AsyncSession],
        task_queue: str,
        *,
        concurrency: int = 100,
        rows_per_write: int = ROWS_PER_WRITE,
    ) -> None:
        self._client, self._sessions, self._queue = client, session_factory, task_queue
        self._concurrency, self._rows_per_write = concurrency, rows_per_write
        self._rosters: dict[tuple[str, str | None], Roster] = {}
        # One gate for every launch batch on this worker: a cycle keeps two batches in flight,
        # and together they hold `concurrency` starts at most, the next batch's first starts
        # going out as the one before it finishes. Made in the loop that first uses it.
        self._start_gate: asyncio.Semaphore | None = None
        self._roster_lock: asyncio.Lock | None = None  # two batches need one load, not two

    async def _roster(self, roster_id: str, top: str | None) -> Roster:
        key = (roster_id, top)
        if key in self._rosters:
            return self._rosters[key]
        if self._roster_lock is None:
            self._roster_lock = asyncio.Lock()
        async with self._roster_lock:
            if key in self._rosters:
                return self._rosters[key]
            async with self._sessions() as session:
                employees = await list_employees(session, roster_id)
            if not employees:
                raise ApplicationError(
                    f"no roster {roster_id!r}", type="RosterNotFound", non_retryable=True
                )
            rows = [e.model_dump(mode="json") for e in employees]
            try:
                self._rosters[key] = validate_roster(rows, top_appraiser_nip=top)
            except DomainError as e:  # retrying cannot mend a roster or a policy
                raise ApplicationError(str(e), type="RosterInvalid", non_retryable=True) from None
        return self._rosters[key]

    @activity.defn(name="plan_launch")
    async def plan_launch(self, request: PlanRequest) -> LaunchPlan:
        """How many appraisals start at each depth; fails at once, naming the policy field and
        the NIPs, if someone lacks an appraiser or only their appraiser could hear their appeal."""
        roster = await self._roster(request.roster_id, request.top_appraiser_nip)
        try:
            # The rule a launch checks before it starts the cycle, so the two never disagree.
            check_launch(roster, request.appeals_officer_nip)
        except LaunchRefused as e:
            raise ApplicationError(str(e), type=e.kind, non_retryable=True) from None
        return LaunchPlan(
            depth_counts=[len(level) for level in roster.launch_order()],
            units=dict(Counter(e.unit_code for e in roster.employees)),
        )

    @activity.defn(name="launch_batch")
    async def launch_batch(self, batch: LaunchBatch) -> LaunchResult:
        """Start one slice of appraisals and store their opening rows as they go; one already
        started (by a retry) is left as it is, and so is a row already there."""
        roster = await self._roster(batch.roster_id, batch.policy.regional_head_nip)
        nips = roster.level(batch.depth)[batch.offset : batch.offset + batch.limit]
        rows = _OpeningRows(self._sessions, self._rows_per_write)

        async def start(nip: str) -> bool:
            workflow_id = appraisal_workflow_id(batch.cycle_id, nip)
            try:
                inp = _appraisal_input(batch, roster, nip)
            except DomainError as e:  # the plan refuses this first; a policy cannot change
                raise ApplicationError(
                    f"{nip}: {e}", type=POLICY_INCOMPLETE, non_retryable=True
                ) from None
            try:
                await self._client.start_workflow(
                    AppraisalWorkflow.run,
                    inp,
                    id=workflow_id,
                    task_queue=self._queue,
                    id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
                    search_attributes=TypedSearchAttributes(
                        [
                            SearchAttributePair(sa.CYCLE, batch.cycle_id),
                            SearchAttributePair(sa.UNIT, inp.unit_code),
                            SearchAttributePair(sa.EMPLOYEE, inp.employee_nip),
                            SearchAttributePair(sa.STAGE, Stage.TARGETS),
                        ]
                    ),
                )
                started = True
            except WorkflowAlreadyStartedError:
                started = False
            # The row follows its start, so that no row stands for an appraisal that never
            # started (a cycle terminated mid-launch).
            rows.add(opening_record(inp, workflow_id, datetime.now(UTC)))
            return started

        if self._start_gate is None:
            self._start_gate = asyncio.Semaphore(self._concurrency)
        async with _heartbeating(HEARTBEAT_EVERY):  # also while it waits for its last rows
            try:
                started = await self._bounded((start(nip) for nip in nips), self._start_gate)
            except BaseException:
                await rows.close_after_failure()
                raise
            await rows.close()
        return LaunchResult(started=sum(started), existing=len(started) - sum(started))

    @activity.defn(name="unit_grades")
    async def unit_grades(self, query: UnitQuery) -> list[UnitGrade]:
        """The unit's appraisals that have a computed grade, with any released one."""
        async with self._sessions() as session:
            return await unit_grades_of(session, query.cycle_id, query.unit_code)

    @activity.defn(name="release_unit")
    async def release_unit(self, release: ReleaseUnit) -> int:
        """Record the final grades, then signal each appraisal its own; a closed one needs none.

        Writing first means a second calibration right after this one sees them released."""
        async with self._sessions() as session, session.begin():
            await set_final_grades(session, {a: g for a, g, _, _ in release.grades})

        async def one(item: tuple[str, Any, bool, str]) -> bool:
            appraisal_id, grade, adjusted, reason = item
            msg = ReleaseGrade(
                grade=grade, adjusted=adjusted, reason=reason, actor_nip=release.actor_nip
            )
            return await _signal(
                self._client.get_workflow_handle(appraisal_id), "release_grade", msg
            )

        return sum(await self._bounded(one(g) for g in release.grades))

    @activity.defn(name="broadcast_community")
    async def broadcast_community(self, broadcast: UnitBroadcast) -> int:
        """Pass a unit's community score to each of its appraisals."""
        roster = await self._roster(broadcast.roster_id, None)
        ids = [
            appraisal_workflow_id(broadcast.cycle_id, e.nip)
            for e in roster.employees
            if e.unit_code == broadcast.unit_code
        ]
        msg = CommunityScore(unit_code=broadcast.unit_code, score=broadcast.score)
        sent = await self._bounded(
            _signal(self._client.get_workflow_handle(i), "community_score", msg) for i in ids
        )
        return sum(sent)

    @activity.defn(name="launch_cycle")
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

    @activity.defn(name="cycle_summary")
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

    async def _bounded(
        self, jobs: Iterable[Awaitable[bool]], gate: asyncio.Semaphore | None = None
    ) -> list[bool]:
        """Run jobs with bounded concurrency (a gate of their own unless one is shared),
        heartbeating as they finish."""
        if gate is None:
            gate = asyncio.Semaphore(self._concurrency)

        async def run(job: Awaitable[bool]) -> bool:
            async with gate:
                done = await job
            if activity.in_activity():
                activity.heartbeat()
            return done

        return list(await asyncio.gather(*(run(j) for j in jobs)))


@asynccontextmanager
async def _heartbeating(seconds: float) -> AsyncIterator[None]:
    """Heartbeat every `seconds` while the block runs (the SDK sends at most one per throttle
    interval of them)."""

    async def beat() -> None:
        while True:
            if activity.in_activity():
                activity.heartbeat()
            await asyncio.sleep(seconds)

    beating = asyncio.create_task(beat())
    try:
        yield
    finally:
        beating.cancel()


async def _signal(handle: WorkflowHandle[Any, Any], name: str, arg: object) -> bool:
    """Signal a workflow; False when it has already closed or never existed."""
    try:
        await handle.signal(name, arg)
    except RPCError as e:
        if e.status is RPCStatusCode.NOT_FOUND:
            return False
        raise
    return True


async def unit_grades_of(session: AsyncSession, cycle_id: str, unit_code: str) -> list[UnitGrade]:
    """The grades calibration weighs for one unit: reviewed, not cancelled."""
    rows = await list_graded(session, cycle_id, unit_code)
    return [
        UnitGrade(appraisal_id=r.id, grade_computed=r.grade_computed, grade_final=r.grade_final)
        for r in rows
        if r.grade_computed is not None
    ]
