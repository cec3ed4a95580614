"""A unit's own rating, which picks its distribution curve: HR proposes it with a note, the
official one level up (the regional head for a head of office) decides it, and calibration
uses the decision. Whoever neither rates the unit nor reads the cycle is told it is not there."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Collection

from pydantic import BaseModel, Field
from sqlalchemy.ext.asyncio import AsyncSession
from temporalio.client import Client

from appraisal_engine.domain.curve import UnitRating
from appraisal_engine.domain.stages import BEFORE_CALIBRATION
from appraisal_engine.domain.unit_rating import UnitRatingEntry
from appraisal_engine.services.access import Caller, require_hr
from appraisal_engine.services.cycles import handle_of
from appraisal_engine.services.errors import Forbidden, NotFound
from appraisal_engine.services.workflow_calls import workflow_call
from appraisal_engine.store.repositories.appraisals import cycles_rating_units_of
from appraisal_engine.workflows.cycle import CycleWorkflow
from appraisal_engine.workflows.cycle_messages import CycleStatus, UnitProgress, UnitRatingInput
from appraisal_engine.workflows.ids import CYCLE_WORKFLOW_PREFIX

RUNNING_CYCLES = "WorkflowType = 'CycleWorkflow' AND ExecutionStatus = 'Running'"
MOST_CYCLES = 100
CYCLE_WAIT = 1.0  # seconds a cycle may take to answer its status before it is left out
log = logging.getLogger(__name__)


class UnitRatingView(BaseModel):
    """One unit's rating: who rates it, HR's proposal, the official's decision, and whether
    calibration has released grades against it (then it can no longer change)."""

    cycle_id: str = Field(examples=["kota-binjai-2026"])
    unit_code: str = Field(examples=["DUKCAPIL"])
    head_nip: str | None = Field(description="who heads the unit")
    rater_nip: str | None = Field(description="the official who decides the unit's rating")
    employees: int
    waiting: int = Field(description="appraisals of the unit not yet reviewed")
    proposed: UnitRatingEntry | None = None
    decided: UnitRatingEntry | None = None
    calibrated: UnitRating | None = Field(
        default=None, description="the rating of the unit's latest calibration"
    )
    released: int = 0
    open: bool = Field(description="the rating may still be decided or changed")


def _view(cycle: CycleStatus, unit: str, progress: UnitProgress) -> UnitRatingView:
    return UnitRatingView(
        cycle_id=cycle.cycle_id,
        unit_code=unit,
        head_nip=progress.head_nip,
        rater_nip=progress.rater_nip,
        employees=progress.total,
        waiting=sum(progress.stages.get(s, 0) for s in BEFORE_CALIBRATION),
        proposed=progress.rating_proposed,
        decided=progress.rating_decided,
        calibrated=progress.unit_rating,
        released=progress.released,
        open=progress.rater_nip is not None and not progress.released and not cycle.closed,
    )


async def _status(client: Client, cycle_id: str) -> CycleStatus:
    async with workflow_call("cycle"):
        return await handle_of(client, cycle_id).query(CycleWorkflow.status)


async def of_cycle(who: Caller, cycle_id: str, *, client: Client) -> list[UnitRatingView]:
    """For HR and auditors every unit's rating; for an official the units they rate. A cycle
    in which the caller rates nothing and which they may not read is not there."""
    status = await _status(client, cycle_id)
    views = [
        _view(status, unit, p)
        for unit, p in sorted(status.units.items())
        if who.reads_all or p.rater_nip == who.nip
    ]
    if not views and not who.reads_all:
        raise NotFound("cycle")
    return views


async def to_rate(
    who: Caller, *, client: Client, among: Collection[str] | None = None
) -> list[UnitRatingView]:
    """The units the caller rates in the running cycles (those of them `among`, when given),
    those still open first. The cycles are asked side by side."""
    async with workflow_call("cycle"):
        running = [
            wf.id.removeprefix(CYCLE_WORKFLOW_PREFIX)
            async for wf in client.list_workflows(RUNNING_CYCLES, limit=MOST_CYCLES)
        ]
        cycles = [c for c in running if among is None or c in among]
        answers = await asyncio.gather(*(_answered(client, c) for c in cycles))
    found = [
        _view(status, unit, p)
        for status in answers
        if status is not None
        for unit, p in sorted(status.units.items())
        if p.rater_nip == who.nip
    ]
    return sorted(found, key=lambda v: (not v.open, v.cycle_id, v.unit_code))


async def _answered(client: Client, cycle_id: str) -> CycleStatus | None:
    """The cycle's status, or None when it does not answer in time (no worker polls its queue):
    one cycle stuck leaves its units out, not every other cycle's."""
    try:
        return await asyncio.wait_for(
            handle_of(client, cycle_id).query(CycleWorkflow.status), CYCLE_WAIT
        )
    except TimeoutError:
        log.warning("cycle %s did not answer its status within %ss", cycle_id, CYCLE_WAIT)
        return None


async def awaiting(who: Caller, *, session: AsyncSession, client: Client) -> list[UnitRatingView]:
    """The units still awaiting the caller's decision, for their inbox. Only those the read
    model shows one level up from someone of another unit may rate one, so most people's inbox
    asks Temporal nothing; for the others, only the running cycles where that is so are asked."""
    cycles = await cycles_rating_units_of(session, who.nip)
    if not cycles:
        return []
    found = await to_rate(who, client=client, among=set(cycles))
    return [v for v in found if v.open and v.decided is None]


def _unit(status: CycleStatus, unit_code: str) -> UnitProgress:
    progress = status.units.get(unit_code)
    if progress is None:
        raise NotFound("unit")
    return progress


async def propose(
    who: Caller,
    cycle_id: str,
    unit_code: str,
    *,
    rating: UnitRating,
    note: str | None,
    client: Client,
) -> UnitRatingView:
    """HR prepares a unit's rating, with a note, for its official to decide."""
    require_hr(who)
    inp = UnitRatingInput(actor_nip=who.nip, unit_code=unit_code, rating=rating, note=note)
    handle = handle_of(client, cycle_id)
    async with workflow_call("cycle"):
        progress = await handle.execute_update(CycleWorkflow.propose_unit_rating, inp)
        status = await handle.query(CycleWorkflow.status)
    return _view(status, unit_code, progress)


async def decide(
    who: Caller,
    cycle_id: str,
    unit_code: str,
    *,
    rating: UnitRating,
    note: str | None,
    client: Client,
) -> UnitRatingView:
    """The unit's official decides its rating; calibration uses it. HR, who may read the unit,
    is refused; anyone else is told there is no such unit."""
    status = await _status(client, cycle_id)
    progress = _unit(status, unit_code)
    if progress.rater_nip != who.nip:
        if who.reads_all:
            raise Forbidden("only the unit's official decides its rating")
        raise NotFound("unit")
    inp = UnitRatingInput(actor_nip=who.nip, unit_code=unit_code, rating=rating, note=note)
    handle = handle_of(client, cycle_id)
    async with workflow_call("cycle"):
        progress = await handle.execute_update(CycleWorkflow.decide_unit_rating, inp)
        status = await handle.query(CycleWorkflow.status)
    return _view(status, unit_code, progress)
