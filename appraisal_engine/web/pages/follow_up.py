"""What follows the grade, in pages: the development plan on the appraisal's page (the supervisor
plans and follows up, the employee reads), and HR's page of a cycle's plans and ASN teladan."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from fastapi import APIRouter, Depends, Request
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.responses import RedirectResponse, Response
from temporalio.client import Client

from appraisal_engine.api.auth import Principal
from appraisal_engine.api.deps import ServicesDep, SessionDep, TemporalClientDep, services
from appraisal_engine.api.problems import service_status
from appraisal_engine.api.schemas import DevelopmentPlanRequest, FollowUpRequest, TeladanRequest
from appraisal_engine.domain.development import PlanItem
from appraisal_engine.domain.policy import Policy
from appraisal_engine.domain.records import AppraisalRecord
from appraisal_engine.services import access, cycles, development, teladan
from appraisal_engine.services.appraisal_policy import policy_of
from appraisal_engine.services.errors import NotFound, ServiceError
from appraisal_engine.web.forms import field_errors, posted, service_errors
from appraisal_engine.web.pages.appraisals import after_form
from appraisal_engine.web.plan_context import PLAN_ROWS
from appraisal_engine.web.render import gettext_for, render
from appraisal_engine.web.routing import PageRoute
from appraisal_engine.web.security import check_form_token
from appraisal_engine.web.session import SignedIn

router = APIRouter(route_class=PageRoute, dependencies=[Depends(check_form_token)])

_ITEM_FIELD = re.compile(r"^items\.(\d+)\.(\w+)$")


def _kept_rows(values: dict[str, str]) -> list[int]:
    """The form's rows with anything typed in: the items the body holds, in order."""
    return [
        n
        for n in range(PLAN_ROWS)
        if any(values.get(f"items[{n}].{f}", "").strip() for f in ("kind", "course", "due_on"))
    ]


def _on_form(errors: dict[str, str], kept: list[int]) -> dict[str, str]:
    """A service's `items.k.field` as the form's row: `items[row].field`."""
    placed: dict[str, str] = {}
    for name, message in errors.items():
        found = _ITEM_FIELD.match(name)
        if found and int(found[1]) < len(kept):
            name = f"items[{kept[int(found[1])]}].{found[2]}"
        placed.setdefault(name, message)
    return placed


@router.post("/appraisals/{appraisal_id}/development-plan", include_in_schema=False)
async def make_plan(
    request: Request,
    appraisal_id: str,
    me: SignedIn,
    session: SessionDep,
    client: TemporalClientDep,
    svc: ServicesDep,
) -> Response:
    """The supervisor's plan: up to three items and the follow-up date."""
    values, data = await posted(request)
    _ = gettext_for(request)
    kept = _kept_rows(values)
    refused: tuple[int, dict[str, str]] | None = None

    async def policy(record: AppraisalRecord) -> Policy:
        return await policy_of(client, record.id)

    try:
        body = DevelopmentPlanRequest.model_validate(
            {"items": data.get("items", []), "follow_up_on": data.get("follow_up_on")}
        )
        await development.make_plan(
            session,
            svc.sessions,
            me,
            appraisal_id,
            items=[PlanItem(**i.model_dump()) for i in body.items],
            follow_up_on=body.follow_up_on,
            policy_of=policy,
            now=datetime.now(UTC),
        )
    except ValidationError as e:
        refused = 422, field_errors(e, _, set(values), rows={"items": kept})
    except NotFound:
        raise
    except ServiceError as e:
        refused = service_status(e), _on_form(service_errors(e, _), kept)
    return await after_form(
        request,
        appraisal_id,
        me,
        session,
        client,
        form="plan",
        refused=refused,
        values=values,
    )


@router.post("/appraisals/{appraisal_id}/development-plan/follow-ups", include_in_schema=False)
async def follow_up(
    request: Request,
    appraisal_id: str,
    me: SignedIn,
    session: SessionDep,
    client: TemporalClientDep,
    svc: ServicesDep,
) -> Response:
    """The supervisor says whether one planned item happened."""
    values, _data = await posted(request)
    _ = gettext_for(request)
    refused: tuple[int, dict[str, str]] | None = None
    try:
        body = FollowUpRequest.model_validate(
            {
                "item": values.get("item", ""),
                "done": values.get("done") == "yes",
                "note": values.get("note", ""),
            }
        )
        await development.follow_up(
            session,
            svc.sessions,
            me,
            appraisal_id,
            item=body.item,
            done=body.done,
            note=body.note,
            now=datetime.now(UTC),
        )
    except ValidationError as e:
        refused = 422, field_errors(e, _)
    except NotFound:
        raise
    except ServiceError as e:
        refused = service_status(e), service_errors(e, _)
    return await after_form(
        request,
        appraisal_id,
        me,
        session,
        client,
        form="follow_up",
        refused=refused,
        values=values,
        flash="followed_up",
    )


# -- HR's page of a cycle's follow-up --------------------------------------------------------


async def _cycle_follow_up(
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
    access.require_reader(me)
    policy = await cycles.policy_of(client, cycle_id)
    sessions = services(request).sessions
    nominations = await teladan.read(
        session, me, cycle_id, policy=policy.teladan, sessions=sessions
    )
    plans = await development.cycle_plans(
        session, me, cycle_id, now=datetime.now(UTC), limit=200, offset=0, sessions=sessions
    )
    return render(
        request,
        "hr/follow_up.html",
        status_code,
        cycle_id=cycle_id,
        teladan=nominations,
        plans=plans,
        flash=request.session.pop("flash", None),
        values=values or {},
        errors=errors or {},
    )


@router.get("/hr/cycles/{cycle_id}/follow-up", include_in_schema=False)
async def cycle_follow_up(
    request: Request, cycle_id: str, me: SignedIn, session: SessionDep, client: TemporalClientDep
) -> Response:
    """A cycle's ASN teladan nominations and development plans, for HR and auditors."""
    return await _cycle_follow_up(request, cycle_id, me, session, client)


@router.post("/hr/cycles/{cycle_id}/teladan", include_in_schema=False)
async def nominate(
    request: Request,
    cycle_id: str,
    me: SignedIn,
    session: SessionDep,
    client: TemporalClientDep,
    svc: ServicesDep,
) -> Response:
    """HR nominates one of the cycle's Sangat Baik as ASN teladan."""
    access.require_hr(me)
    values, _data = await posted(request)
    _ = gettext_for(request)
    try:
        body = TeladanRequest.model_validate(
            {"appraisal_id": values.get("appraisal_id", ""), "reason": values.get("reason", "")}
        )
        policy = await cycles.policy_of(client, cycle_id)
        await teladan.nominate(
            session,
            svc.sessions,
            me,
            cycle_id,
            appraisal_id=body.appraisal_id,
            reason=body.reason,
            policy=policy.teladan,
            now=datetime.now(UTC),
        )
    except ValidationError as e:
        status, errors = 422, field_errors(e, _, set(values))
    except NotFound as e:
        if e.detail != "no such appraisal":
            raise
        # An appraisal not of this cycle: said beside the field.
        status, errors = 404, {"appraisal_id": _(e.detail)}
    except ServiceError as e:
        status, errors = service_status(e), service_errors(e, _)
    else:
        request.session["flash"] = "nominated"
        return RedirectResponse(f"/hr/cycles/{cycle_id}/follow-up", status_code=303)
    return await _cycle_follow_up(
        request, cycle_id, me, session, client, status_code=status, values=values, errors=errors
    )
