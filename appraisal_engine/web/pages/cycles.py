"""HR's year: the cycles and the launch form, a cycle's dashboard (progress per unit and stage,
grades against the curve, the schedule, the closing summary), its grades spreadsheet,
community scores, and calibrating a unit. Auditors read the dashboard; only HR acts."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Request
from fastapi.responses import StreamingResponse
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.responses import RedirectResponse, Response
from temporalio.client import Client

from appraisal_engine.api.auth import Principal
from appraisal_engine.api.deps import ServicesDep, SessionDep, TemporalClientDep
from appraisal_engine.api.problems import service_status
from appraisal_engine.api.schemas import (
    CalibrationRequest,
    CommunityFeedbackRequest,
    LaunchCycleRequest,
    UnitRatingRequest,
)
from appraisal_engine.domain.curve import UnitRating, Violation
from appraisal_engine.domain.presets import PRESETS
from appraisal_engine.domain.ratings import Grade
from appraisal_engine.domain.records import AppraisalRecord
from appraisal_engine.domain.schedule import year_schedule
from appraisal_engine.domain.stages import Stage
from appraisal_engine.services import access, appraisals, cycles, grades_csv, unit_ratings
from appraisal_engine.services.errors import Conflict, NotFound, ServiceError
from appraisal_engine.services.together import both
from appraisal_engine.web.charts import STAGES, unit_chart
from appraisal_engine.web.forms import field_errors, posted, service_errors
from appraisal_engine.web.i18n import N_, ZONE_NAMES
from appraisal_engine.web.render import config_of, gettext_for, render
from appraisal_engine.web.routing import PageRoute
from appraisal_engine.web.security import check_form_token
from appraisal_engine.web.session import SignedIn

router = APIRouter(route_class=PageRoute, dependencies=[Depends(check_form_token)])

CYCLES = "/hr/cycles"
LAUNCH_FIELDS = (
    "roster_id",
    "policy",
    "year",
    "year_start",
    "regional_head_nip",
    "appeals_officer_nip",
)
LISTED = 50
PAGE = 200
NOT_A_DATE = N_("Must be a date (year-month-day).")
NO_ROSTER = N_("There is no roster with this id.")
CURVE_REFUSED = N_("The grades do not fit the unit's curve yet: adjust them, each with a reason.")


def beside(errors: dict[str, str], fields: set[str]) -> dict[str, str]:
    """Errors for fields the form does not have join the form's own message ("")."""
    kept = {k: v for k, v in errors.items() if k in fields}
    rest = [v for k, v in errors.items() if k not in fields]
    if rest:
        kept[""] = " ".join(rest)
    return kept


def day_start(text: str, zone: str) -> str:
    """A date typed in the form as the start of that day in the organisation's time zone, the
    RFC 3339 instant the launch takes. ValueError when it is not a date."""
    return datetime.combine(date.fromisoformat(text), time(), tzinfo=ZoneInfo(zone)).isoformat()


# -- the cycles and launching one ----------------------------------------------------------


async def _cycles(
    request: Request,
    me: Principal,
    client: Client,
    *,
    status_code: int = 200,
    values: dict[str, str],
    errors: dict[str, str],
) -> Response:
    found = await cycles.list_cycles(me, client=client, limit=LISTED)
    return render(
        request,
        "hr/cycles.html",
        status_code,
        cycles=found,
        presets=sorted(PRESETS),
        values=values,
        errors=errors,
    )


@router.get(CYCLES, include_in_schema=False)
async def cycles_page(
    request: Request, me: SignedIn, client: TemporalClientDep, roster_id: str | None = None
) -> Response:
    """The cycles, newest first, and (for HR) the launch form."""
    values = {"roster_id": roster_id or "", "year": str(datetime.now(UTC).year)}
    return await _cycles(request, me, client, values=values, errors={})


@router.post(CYCLES, include_in_schema=False)
async def launch(
    request: Request,
    me: SignedIn,
    session: SessionDep,
    client: TemporalClientDep,
    svc: ServicesDep,
) -> Response:
    """Launch the year; a refusal shows each error beside its field, what was typed kept."""
    access.require_hr(me)  # as the API's route: refused before the form is read
    values, data = await posted(request)
    _ = gettext_for(request)
    errors: dict[str, str] = {}
    if data.get("year_start"):
        try:
            data["year_start"] = day_start(data["year_start"], config_of(request).time_zone)
        except ValueError:
            errors["year_start"] = _(NOT_A_DATE)
            del data["year_start"]
    status = 422
    try:
        body = LaunchCycleRequest.model_validate(data)
    except ValidationError as e:
        errors = {**field_errors(e, _, LAUNCH_FIELDS), **errors}
    if not errors:
        try:
            ref = await cycles.launch(
                session,
                me,
                year=body.year,
                roster_id=body.roster_id,
                policy=body.policy,
                year_start=body.year_start,
                regional_head_nip=body.regional_head_nip,
                appeals_officer_nip=body.appeals_officer_nip,
                client=client,
                task_queue=svc.config.task_queue,
            )
        except NotFound as e:
            status, errors = service_status(e), {"roster_id": _(NO_ROSTER)}
        except ServiceError as e:
            status, errors = service_status(e), service_errors(e, _, LAUNCH_FIELDS)
        else:
            request.session["flash"] = "launched"
            return RedirectResponse(f"{CYCLES}/{ref.cycle_id}", status_code=303)
    errors = beside(errors, set(LAUNCH_FIELDS))
    return await _cycles(request, me, client, status_code=status, values=values, errors=errors)


# -- one cycle -----------------------------------------------------------------------------


async def _dashboard(
    request: Request,
    cycle_id: str,
    me: Principal,
    session: AsyncSession,
    client: Client,
    *,
    status_code: int = 200,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
) -> Response:
    # The workflow's state and its input: independent reads, asked together.
    view, plan = await both(
        cycles.read(me, cycle_id, client=client), cycles.plan(me, cycle_id, client=client)
    )
    counts = await cycles.grade_counts(session, me, cycle_id)
    units = [
        unit_chart(
            code, progress, counts.get(code, {}), plan.policy.curve, plan.policy.curve_rounding
        )
        for code, progress in sorted(view.status.units.items())
    ]
    return render(
        request,
        "hr/cycle.html",
        status_code,
        cycle_id=cycle_id,
        view=view,
        plan=plan,
        units=units,
        # Where the policy lists the units that serve citizens, only those are scored.
        scored_units=[u for u in units if plan.policy.community.serves_citizens(u.code)],
        stages=STAGES,
        appeal_zone=ZONE_NAMES.get(plan.policy.time_zone, plan.policy.time_zone),
        schedule=year_schedule(plan.policy, plan.year_start),
        flash=request.session.pop("flash", None),
        values=values or {},
        errors=errors or {},
    )


@router.get(CYCLES + "/{cycle_id}", include_in_schema=False)
async def dashboard(
    request: Request,
    cycle_id: str,
    me: SignedIn,
    session: SessionDep,
    client: TemporalClientDep,
) -> Response:
    """A cycle: progress per unit and stage, grades against the curve, calibration, schedule,
    and the closing summary once closed (or why it failed)."""
    return await _dashboard(request, cycle_id, me, session, client)


@router.get(CYCLES + "/{cycle_id}/grades.csv", include_in_schema=False)
async def grades(
    cycle_id: str,
    me: SignedIn,
    session: SessionDep,
    client: TemporalClientDep,
    svc: ServicesDep,
) -> Response:
    """The cycle's grades as a spreadsheet file, as the API's export."""
    chunks = await cycles.export_grades(session, me, cycle_id, client=client, sessions=svc.sessions)
    return StreamingResponse(
        chunks,
        media_type=grades_csv.MEDIA_TYPE,
        headers={"Content-Disposition": grades_csv.attachment(cycle_id)},
    )


@router.post(CYCLES + "/{cycle_id}/community-feedback", include_in_schema=False)
async def community_feedback(
    request: Request,
    cycle_id: str,
    me: SignedIn,
    session: SessionDep,
    client: TemporalClientDep,
) -> Response:
    """Per-unit citizen-satisfaction scores, for policies that take them."""
    access.require_hr(me)
    values, data = await posted(request)
    _ = gettext_for(request)
    fields = set(values)
    try:
        body = CommunityFeedbackRequest.model_validate({"scores": data.get("scores", {})})
        await cycles.community_feedback(me, cycle_id, scores=body.scores, client=client)
    except ValidationError as e:
        status, errors = 422, field_errors(e, _, fields)
    except NotFound:
        raise
    except ServiceError as e:
        status, errors = service_status(e), service_errors(e, _, fields)
    else:
        request.session["flash"] = "scores"
        return RedirectResponse(f"{CYCLES}/{cycle_id}", status_code=303)
    errors = beside(errors, fields)
    return await _dashboard(
        request, cycle_id, me, session, client, status_code=status, values=values, errors=errors
    )


# -- calibrating a unit --------------------------------------------------------------------


async def _unit_appraisals(
    session: AsyncSession, me: Principal, cycle_id: str, unit_code: str
) -> list[AppraisalRecord]:
    found: list[AppraisalRecord] = []
    while True:
        page = await appraisals.list_visible(
            session, me, cycle_id=cycle_id, unit_code=unit_code, limit=PAGE, offset=len(found)
        )
        found += page
        if len(page) < PAGE:
            return found


def adjustable(record: AppraisalRecord) -> bool:
    """Awaiting calibration: reviewed, in calibration, no grade released yet."""
    return (
        record.stage is Stage.CALIBRATION
        and record.grade_computed is not None
        and record.grade_final is None
    )


async def _calibration(
    request: Request,
    cycle_id: str,
    unit_code: str,
    me: Principal,
    session: AsyncSession,
    client: Client,
    *,
    status_code: int = 200,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    violations: list[Violation] | None = None,
    proposal: dict[str, str] | None = None,
    proposal_errors: dict[str, str] | None = None,
) -> Response:
    view = await cycles.read(me, cycle_id, client=client)  # HR and auditors only
    progress = view.status.units.get(unit_code)
    if progress is None:
        raise NotFound("unit")
    plan = await cycles.plan(me, cycle_id, client=client)
    counts = (await cycles.grade_counts(session, me, cycle_id)).get(unit_code, {})
    records = await _unit_appraisals(session, me, cycle_id, unit_code)
    rating = progress.unit_rating.value if progress.unit_rating else ""
    proposed = progress.rating_proposed or progress.rating_decided
    return render(
        request,
        "hr/calibration.html",
        status_code,
        cycle_id=cycle_id,
        unit=unit_chart(unit_code, progress, counts, plan.policy.curve, plan.policy.curve_rounding),
        open_rows=[r for r in records if adjustable(r)],
        other_rows=[r for r in records if not adjustable(r)],
        ratings=list(UnitRating),
        grades=list(Grade),
        values=values if values is not None else {"unit_rating": rating},
        errors=errors or {},
        violations=violations or [],
        # Cycles launched since units are rated by their official (a rater is known) show the
        # decision instead of a choice of rating.
        progress=progress,
        decided_by_official=progress.rater_nip is not None,
        proposal=proposal
        if proposal is not None
        else {"rating": proposed.rating.value if proposed else ""},
        proposal_errors=proposal_errors or {},
        flash=request.session.pop("flash", None) if status_code == 200 else None,
    )


@router.get(CYCLES + "/{cycle_id}/units/{unit_code}/calibration", include_in_schema=False)
async def calibration_page(
    request: Request,
    cycle_id: str,
    unit_code: str,
    me: SignedIn,
    session: SessionDep,
    client: TemporalClientDep,
) -> Response:
    """A unit's appraisals with their computed grades, and (for HR) the calibration form."""
    return await _calibration(request, cycle_id, unit_code, me, session, client)


@router.post(CYCLES + "/{cycle_id}/units/{unit_code}/calibration", include_in_schema=False)
async def calibrate(
    request: Request,
    cycle_id: str,
    unit_code: str,
    me: SignedIn,
    session: SessionDep,
    client: TemporalClientDep,
) -> Response:
    """Set the unit's rating and any adjustments, each with its reason; the curve's violations
    are listed with what was chosen kept, and a unit that fits is released."""
    access.require_hr(me)
    values, data = await posted(request)
    _ = gettext_for(request)
    rows: list[Any] = data.get("adjustments") or []
    # Rows left as computed carry only their hidden appraisal id: not adjustments.
    picked = [i for i, r in enumerate(rows) if isinstance(r, dict) and set(r) - {"appraisal_id"}]
    body = {
        "unit_code": unit_code,
        "unit_rating": data.get("unit_rating"),
        "adjustments": [rows[i] for i in picked],
    }
    violations: list[Violation] = []
    try:
        chosen = CalibrationRequest.model_validate(body)
        await cycles.calibrate(
            me,
            cycle_id,
            unit_code=chosen.unit_code,
            unit_rating=chosen.unit_rating,
            adjustments=chosen.adjustments,
            client=client,
        )
    except ValidationError as e:
        status, errors = 422, field_errors(e, _, values, rows={"adjustments": picked})
    except NotFound:
        raise
    except Conflict as e:
        status = service_status(e)
        if e.code == "CurveViolation" and e.violations:
            violations = [Violation.model_validate(v) for v in e.violations]
            errors = {"": _(CURVE_REFUSED)}
        else:
            errors = service_errors(e, _, values)
    except ServiceError as e:
        status, errors = service_status(e), service_errors(e, _, values)
    else:
        request.session["flash"] = "calibrated"
        return RedirectResponse(f"{CYCLES}/{cycle_id}", status_code=303)
    return await _calibration(
        request,
        cycle_id,
        unit_code,
        me,
        session,
        client,
        status_code=status,
        values=values,
        errors=beside(errors, set(values)),
        violations=violations,
    )


@router.post(CYCLES + "/{cycle_id}/units/{unit_code}/rating-proposal", include_in_schema=False)
async def propose_rating(
    request: Request,
    cycle_id: str,
    unit_code: str,
    me: SignedIn,
    session: SessionDep,
    client: TemporalClientDep,
) -> Response:
    """HR proposes the unit's rating, with a note, for its official to decide."""
    access.require_hr(me)
    values, data = await posted(request)
    _ = gettext_for(request)
    fields = ("rating", "note")
    try:
        chosen = UnitRatingRequest.model_validate(
            {"rating": data.get("rating") or None, "note": data.get("note") or None}
        )
        await unit_ratings.propose(
            me, cycle_id, unit_code, rating=chosen.rating, note=chosen.note, client=client
        )
    except ValidationError as e:
        status, errors = 422, field_errors(e, _, fields)
    except NotFound:
        raise
    except ServiceError as e:
        status, errors = service_status(e), service_errors(e, _, fields)
    else:
        request.session["flash"] = "proposed"
        return RedirectResponse(
            f"{CYCLES}/{cycle_id}/units/{unit_code}/calibration", status_code=303
        )
    return await _calibration(
        request,
        cycle_id,
        unit_code,
        me,
        session,
        client,
        status_code=status,
        proposal=values,
        proposal_errors=errors,
    )
