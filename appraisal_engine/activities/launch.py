"""The cycle's launch: planning it, and starting its appraisals in batches with their opening
rows."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio import activity
from temporalio.client import Client
from temporalio.common import WorkflowIDReusePolicy
from temporalio.exceptions import ApplicationError, WorkflowAlreadyStartedError

from appraisal_engine.activities.fanout import bounded, heartbeating
from appraisal_engine.activities.opening_rows import OpeningRows
from appraisal_engine.activities.rosters import RosterCache
from appraisal_engine.domain.appeals import superior_in
from appraisal_engine.domain.errors import DomainError
from appraisal_engine.domain.launch import LaunchRefused, check_launch
from appraisal_engine.domain.roster import Roster
from appraisal_engine.domain.unit_rating import unit_raters
from appraisal_engine.workflows import io
from appraisal_engine.workflows.appraisal.state import opening_record
from appraisal_engine.workflows.appraisal.workflow import AppraisalWorkflow
from appraisal_engine.workflows.cycle_messages import (
    LaunchBatch,
    LaunchPlan,
    LaunchResult,
    PlanRequest,
)
from appraisal_engine.workflows.errors import POLICY_INCOMPLETE
from appraisal_engine.workflows.ids import appraisal_workflow_id
from appraisal_engine.workflows.messages import AppraisalInput
from appraisal_engine.workflows.opening import opening_search_attributes

# Opening rows stored per transaction while a launch batch's starts go on. Storing a whole
# batch's rows after its last start held the next batch back by about a second in ten (see the
# README's launch benchmark).
ROWS_PER_WRITE = 500

# A launch batch heartbeats on this clock, not only after each start: it may wait at the
# worker's start gate behind the batch before it, then for its last rows to be stored.
HEARTBEAT_EVERY = 5.0


def _unit_heads(batch: LaunchBatch, roster: Roster) -> frozenset[str]:
    """The units' heads, where the policy takes their results from their unit's rating."""
    if batch.policy.unit_head_results is None:
        return frozenset()
    return frozenset(r.head_nip for r in unit_raters(roster).values())


def _appraisal_input(
    batch: LaunchBatch, roster: Roster, nip: str, heads: frozenset[str] = frozenset()
) -> AppraisalInput:
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
        heads_unit=nip in heads,
    )


class LaunchActivities:
    """Plan a cycle's launch and start its appraisals, batch by batch."""

    def __init__(
        self,
        client: Client,
        session_factory: async_sessionmaker[AsyncSession],
        task_queue: str,
        rosters: RosterCache,
        *,
        concurrency: int = 100,
        rows_per_write: int = ROWS_PER_WRITE,
    ) -> None:
        self._client, self._sessions, self._queue = client, session_factory, task_queue
        self._rosters = rosters
        self._concurrency, self._rows_per_write = concurrency, rows_per_write
        # One gate for every launch batch on this worker: a cycle keeps two batches in flight,
        # and together they hold `concurrency` starts at most, the next batch's first starts
        # going out as the one before it finishes. Made in the loop that first uses it.
        self._start_gate: asyncio.Semaphore | None = None

    @activity.defn(name=io.PLAN_LAUNCH)
    async def plan_launch(self, request: PlanRequest) -> LaunchPlan:
        """How many appraisals start at each depth; fails at once, naming the policy field and
        the NIPs, if someone lacks an appraiser or only their appraiser could hear their appeal."""
        roster = await self._rosters.get(request.roster_id, request.top_appraiser_nip)
        try:
            # The rule a launch checks before it starts the cycle, so the two never disagree.
            check_launch(roster, request.appeals_officer_nip)
        except LaunchRefused as e:
            raise ApplicationError(str(e), type=e.kind, non_retryable=True) from None
        return LaunchPlan(
            depth_counts=[len(level) for level in roster.launch_order()],
            units=dict(Counter(e.unit_code for e in roster.employees)),
            raters=unit_raters(roster),
        )

    @activity.defn(name=io.LAUNCH_BATCH)
    async def launch_batch(self, batch: LaunchBatch) -> LaunchResult:
        """Start one slice of appraisals and store their opening rows as they go; one already
        started (by a retry) is left as it is, and so is a row already there."""
        roster = await self._rosters.get(batch.roster_id, batch.policy.regional_head_nip)
        nips_at = roster.level(batch.depth)
        nips = nips_at[batch.offset : batch.offset + batch.limit]
        rows = OpeningRows(self._sessions, self._rows_per_write)
        heads = _unit_heads(batch, roster)

        async def start(nip: str) -> bool:
            workflow_id = appraisal_workflow_id(batch.cycle_id, nip)
            try:
                inp = _appraisal_input(batch, roster, nip, heads)
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
                    search_attributes=opening_search_attributes(inp),
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
        async with heartbeating(HEARTBEAT_EVERY):  # also while it waits for its last rows
            try:
                started = await bounded((start(nip) for nip in nips), self._start_gate)
            except BaseException:
                await rows.close_after_failure()
                raise
            await rows.close()
        if batch.depth == roster.depths() - 1 and batch.offset + batch.limit >= len(nips_at):
            # The launch's last batch: nobody asks for its roster again until calibration,
            # months away (a batch still running holds its own; a retry loads it again).
            self._rosters.forget(batch.roster_id, batch.policy.regional_head_nip)
        return LaunchResult(started=sum(started), existing=len(started) - sum(started))
