"""HR's year: launch a cycle from a stored roster, read it, calibrate units, record community
scores, and export its grades for a spreadsheet."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

from pydantic import BaseModel, Field
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio.client import Client, WorkflowExecutionStatus, WorkflowHandle

from appraisal_engine.client.cycle_runs import CycleFailure, CycleState, outcome_of
from appraisal_engine.client.starters import launch_cycle
from appraisal_engine.domain.appeals import APPEALS_OFFICER_FIELD
from appraisal_engine.domain.calibration import Adjustment
from appraisal_engine.domain.curve import UnitRating
from appraisal_engine.domain.errors import DomainError
from appraisal_engine.domain.launch import REGIONAL_HEAD, LaunchRefused, launch_roster, with_named
from appraisal_engine.domain.policy import Policy
from appraisal_engine.domain.presets import preset
from appraisal_engine.domain.ratings import Grade
from appraisal_engine.services import grades_csv
from appraisal_engine.services.access import Caller, log_auditor_read, require_hr, require_reader
from appraisal_engine.services.errors import Conflict, Invalid, Issue, NotFound
from appraisal_engine.services.together import both
from appraisal_engine.services.workflow_calls import workflow_call
from appraisal_engine.store.repositories.exports import grade_lines
from appraisal_engine.store.repositories.grades import grade_counts_of
from appraisal_engine.store.repositories.rosters import get_roster, list_employees
from appraisal_engine.workflows.cycle import CycleWorkflow
from appraisal_engine.workflows.cycle_messages import (
    CalibrateInput,
    CalibrationResult,
    CommunityFeedbackInput,
    CycleInput,
    CycleStatus,
    CycleSummary,
)
from appraisal_engine.workflows.ids import CYCLE_WORKFLOW_PREFIX, workflow_id_of_cycle


class CycleRef(BaseModel):
    """The cycle a launch started or found."""

    cycle_id: str = Field(examples=["kota-binjai-2026"])
    workflow_id: str = Field(examples=["cycle-kota-binjai-2026"])
    roster_id: str


class CycleListItem(BaseModel):
    """One cycle as Temporal's visibility lists it."""

    cycle_id: str
    workflow_id: str
    status: str = Field(examples=["RUNNING"])
    started_at: datetime | None
    closed_at: datetime | None
    state: CycleState = Field(examples=["failed"], description="`status`, in lower case")
    failure: CycleFailure | None = Field(default=None, description="why the run failed")


class CycleView(BaseModel):
    """A cycle's live counters, its closing summary once it has closed, and whether its latest
    run is running, completed or failed (with why: a failed year can be launched again)."""

    status: CycleStatus
    summary: CycleSummary | None = None
    state: CycleState = Field(examples=["running"])
    failure: CycleFailure | None = Field(default=None, description="why the run failed")


def handle_of(client: Client, cycle_id: str) -> WorkflowHandle[CycleWorkflow, CycleSummary]:
    """The cycle's workflow (the latest run, across continue-as-new)."""
    return client.get_workflow_handle_for(CycleWorkflow.run, workflow_id_of_cycle(cycle_id))


def _policy(
    chosen: str | Policy, regional_head_nip: str | None, appeals_officer_nip: str | None
) -> Policy:
    try:
        policy = chosen if isinstance(chosen, Policy) else preset(chosen)
    except DomainError as e:
        issue = Issue(field="policy", message=str(e), wording=e.wording)
        raise Invalid(str(e), issues=[issue]) from None
    return with_named(
        policy, regional_head_nip=regional_head_nip, appeals_officer_nip=appeals_officer_nip
    )


async def _check_launch(session: AsyncSession, roster_id: str, policy: Policy) -> None:
    """Invalid, naming the field to set, when the cycle could not run, before anything starts."""
    try:
        launch_roster(await list_employees(session, roster_id), policy)
    except LaunchRefused as e:
        # The launch names the roster, the regional head and the officer beside the policy.
        beside = (REGIONAL_HEAD, APPEALS_OFFICER_FIELD, "roster_id")
        field = e.field if e.field in beside else f"policy.{e.field}"
        issue = Issue(field=field, message=e.reason, wording=e.wording)
        raise Invalid(str(e), code=e.kind, issues=[issue]) from None


async def launch(
    session: AsyncSession,
    who: Caller,
    *,
    year: int,
    roster_id: str,
    policy: str | Policy,
    year_start: datetime | None,
    regional_head_nip: str | None,
    appeals_officer_nip: str | None,
    client: Client,
    task_queue: str,
) -> CycleRef:
    """HR launches the year for the roster's organisation under a preset (by name) or a whole
    policy; launching again returns the same cycle while it runs or once it has completed, and
    starts it anew after a failure. A policy that cannot run is refused before anything starts."""
    require_hr(who)
    roster = await get_roster(session, roster_id)
    if roster is None:
        raise NotFound("roster")
    chosen = _policy(policy, regional_head_nip, appeals_officer_nip)
    await _check_launch(session, roster.id, chosen)
    async with workflow_call("cycle"):
        handle = await launch_cycle(
            client,
            org=roster.org,
            year=year,
            roster_id=roster.id,
            policy=chosen,
            task_queue=task_queue,
            year_start=year_start,
        )
    return CycleRef(
        cycle_id=handle.id.removeprefix(CYCLE_WORKFLOW_PREFIX),
        workflow_id=handle.id,
        roster_id=roster.id,
    )


async def list_cycles(who: Caller, *, client: Client, limit: int) -> list[CycleListItem]:
    """For HR and auditors, the cycles Temporal knows, newest first (from its visibility
    store, so a cycle launched a moment ago may take a second to appear)."""
    require_reader(who)
    items: list[CycleListItem] = []
    async with workflow_call("cycle"):
        async for wf in client.list_workflows("WorkflowType = 'CycleWorkflow'", limit=limit):
            outcome = await outcome_of(client, wf)
            items.append(
                CycleListItem(
                    cycle_id=wf.id.removeprefix(CYCLE_WORKFLOW_PREFIX),
                    workflow_id=wf.id,
                    status=(wf.status or WorkflowExecutionStatus.RUNNING).name,
                    started_at=wf.start_time,
                    closed_at=wf.close_time,
                    state=outcome.state,
                    failure=outcome.failure,
                )
            )
    return items


async def read(who: Caller, cycle_id: str, *, client: Client) -> CycleView:
    """For HR and auditors, a cycle's counters, calibration state, closing summary once
    closed, and the state of its latest run (with the failure when it failed)."""
    require_reader(who)
    handle = handle_of(client, cycle_id)
    async with workflow_call("cycle"):
        current, desc = await both(handle.query(CycleWorkflow.status), handle.describe())
        summary = (
            await handle.result() if desc.status == WorkflowExecutionStatus.COMPLETED else None
        )
        outcome = await outcome_of(client, desc)
    return CycleView(status=current, summary=summary, state=outcome.state, failure=outcome.failure)


class CyclePlan(BaseModel):
    """What a cycle was launched with: its roster, its whole policy, and when its year began."""

    roster_id: str
    policy: Policy
    year_start: datetime


async def _plan_of(client: Client, cycle_id: str) -> CyclePlan:
    """The cycle's input, as the first event of its latest run holds it (a run continued as
    new carries the same roster and policy, and its year's start among what it carried)."""
    async with workflow_call("cycle"):
        async for event in handle_of(client, cycle_id).fetch_history_events(page_size=1):
            payloads = event.workflow_execution_started_event_attributes.input.payloads
            (inp,) = await client.data_converter.decode(payloads, [CycleInput])
            assert isinstance(inp, CycleInput)
            # As the cycle itself reads its start: carried, given, or the moment it began.
            started = inp.carried.year_start if inp.carried else inp.year_start
            return CyclePlan(
                roster_id=inp.roster_id,
                policy=inp.policy,
                year_start=started or event.event_time.ToDatetime(tzinfo=UTC),
            )
    raise NotFound("cycle")


async def policy_of(client: Client, cycle_id: str) -> Policy:
    """The whole policy the cycle was launched with."""
    return (await _plan_of(client, cycle_id)).policy


async def plan(who: Caller, cycle_id: str, *, client: Client) -> CyclePlan:
    """For HR and auditors, the roster, policy and year's start a cycle runs with: the curve
    its units are calibrated against and the dates its schedule follows."""
    require_reader(who)
    return await _plan_of(client, cycle_id)


async def grade_counts(
    session: AsyncSession, who: Caller, cycle_id: str
) -> dict[str, dict[Grade, int]]:
    """For HR and auditors, each unit's grades so far (released, else computed), to set
    beside its curve."""
    require_reader(who)
    return await grade_counts_of(session, cycle_id)


async def export_grades(
    session: AsyncSession,
    who: Caller,
    cycle_id: str,
    *,
    client: Client,
    sessions: async_sessionmaker[AsyncSession],
) -> AsyncIterator[bytes]:
    """For HR and auditors, the cycle's grades as a spreadsheet file in pieces (see
    `grades_csv`). The first page is read before this returns, so a database that is down is
    answered before the file begins."""
    require_reader(who)
    roster_id = (await _plan_of(client, cycle_id)).roster_id
    first = await grade_lines(session, cycle_id, roster_id, limit=grades_csv.PAGE_ROWS)
    await log_auditor_read(sessions, who, "grades.csv", cycle_id=cycle_id)
    return grades_csv.csv_chunks(sessions, cycle_id, roster_id, first=first)


async def calibrate(
    who: Caller,
    cycle_id: str,
    *,
    unit_code: str,
    unit_rating: UnitRating | None,
    adjustments: list[Adjustment],
    client: Client,
) -> CalibrationResult:
    """HR calibrates a unit against the rating its official decided (or, in a cycle launched
    before that, the rating HR gives) with any adjustments; released when the grades fit the
    curve, otherwise Conflict listing each violation (grade, allowed share, actual share). A
    unit whose rating is not decided yet is a Conflict naming it."""
    require_hr(who)
    inp = CalibrateInput(
        actor_nip=who.nip, unit_code=unit_code, unit_rating=unit_rating, adjustments=adjustments
    )
    async with workflow_call("cycle"):
        result = await handle_of(client, cycle_id).execute_update(CycleWorkflow.calibrate, inp)
    if result.violations:
        raise Conflict(
            f"{len(result.violations)} curve violation(s) in {result.unit_code}; adjust and retry",
            code="CurveViolation",
            violations=[v.model_dump(mode="json") for v in result.violations],
        )
    return result


async def community_feedback(
    who: Caller, cycle_id: str, *, scores: dict[str, float], client: Client
) -> CycleStatus:
    """HR records per-unit citizen-satisfaction scores for policies that use them."""
    require_hr(who)
    inp = CommunityFeedbackInput(actor_nip=who.nip, scores=scores)
    async with workflow_call("cycle"):
        return await handle_of(client, cycle_id).execute_update(
            CycleWorkflow.community_feedback, inp
        )
