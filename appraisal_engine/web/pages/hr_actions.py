"""HR's actions on one appraisal (move it to a new appraiser, extend an open task's deadline,
cancel it), and its raw history as a download for HR and auditors. The forms are checked by
the API's own request models; the services decide who may act."""

from __future__ import annotations

import re
from datetime import date, time
from typing import Any

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, ValidationError
from starlette.responses import Response

from appraisal_engine.api.deps import SessionDep, TemporalClientDep
from appraisal_engine.api.problems import service_status
from appraisal_engine.api.schemas import CancelRequest, DeadlineRequest, ReassignRequest
from appraisal_engine.services import appraisals
from appraisal_engine.services.access import require_hr
from appraisal_engine.services.errors import Forbidden, NotFound, ServiceError
from appraisal_engine.web.forms import Gettext, field_errors, posted, service_errors
from appraisal_engine.web.i18n import N_, local_moment
from appraisal_engine.web.pages.appraisals import after_form
from appraisal_engine.web.render import config_of, gettext_for
from appraisal_engine.web.routing import PageRoute
from appraisal_engine.web.security import check_form_token
from appraisal_engine.web.session import SignedIn

router = APIRouter(route_class=PageRoute, dependencies=[Depends(check_form_token)])


class ReassignForm(BaseModel):
    """The reassign form: its fields are named `reassign.<field>`."""

    reassign: ReassignRequest


class DeadlineForm(BaseModel):
    """The deadline form: `deadline.<field>`, the day and time read as one moment."""

    deadline: DeadlineRequest


class CancelForm(BaseModel):
    """The cancel form: `cancel.reason`."""

    cancel: CancelRequest


class Refused(Exception):
    """A form the page shows again: its status and each field's error."""

    def __init__(self, status: int, errors: dict[str, str]) -> None:
        super().__init__(status)
        self.status = status
        self.errors = errors


def due_moment(part: dict[str, Any], zone: str, _: Gettext) -> None:
    """The deadline form's day and time (on the organisation's clock) as the body's `due_at`;
    a day or time that cannot be read is refused beside the day."""
    day, at = part.pop("due_date", None), part.pop("due_time", None) or "23:59"
    if day is None:
        return  # the request model names the missing moment
    try:
        part["due_at"] = local_moment(date.fromisoformat(day), time.fromisoformat(at), zone)
    except ValueError:
        message = N_("Write the day as yyyy-mm-dd and the time as hh:mm.")
        raise Refused(422, {"deadline.due_at": _(message)}) from None


async def act(
    request: Request,
    appraisal_id: str,
    me: SignedIn,
    session: SessionDep,
    client: TemporalClientDep,
    form: str,
) -> Response:
    """Check the posted form with its request model, then ask the service; a refusal shows the
    appraisal's page again with the errors beside the fields and what was typed kept."""
    require_hr(me)  # as the API's HR-only routes: refused before the form is read
    values, data = await posted(request)
    _ = gettext_for(request)
    part: dict[str, Any] = data.get(form) or {}
    refused: tuple[int, dict[str, str]] | None = None
    try:
        if form == "reassign":
            r = ReassignForm.model_validate({form: part}).reassign
            await appraisals.reassign(
                session,
                me,
                appraisal_id,
                supervisor_nip=r.supervisor_nip,
                superior_nip=r.superior_nip,
                reason=r.reason,
                client=client,
            )
        elif form == "deadline":
            due_moment(part, config_of(request).time_zone, _)
            d = DeadlineForm.model_validate({form: part}).deadline
            await appraisals.extend_deadline(
                session,
                me,
                appraisal_id,
                task_id=d.task_id,
                due_at=d.due_at,
                reason=d.reason,
                client=client,
            )
        else:
            c = CancelForm.model_validate({form: part}).cancel
            await appraisals.cancel(session, me, appraisal_id, reason=c.reason, client=client)
    except Refused as e:
        refused = e.status, e.errors
    except ValidationError as e:
        refused = 422, field_errors(e, _, [*values, f"{form}.due_at"])
    except (NotFound, Forbidden):
        raise
    except ServiceError as e:
        refused = service_status(e), service_errors(e, _, values, within=form)
    return await after_form(
        request,
        appraisal_id,
        me,
        session,
        client,
        form=form,
        refused=refused,
        values=values,
    )


@router.post("/appraisals/{appraisal_id}/reassign", include_in_schema=False)
async def reassign(
    request: Request,
    appraisal_id: str,
    me: SignedIn,
    session: SessionDep,
    client: TemporalClientDep,
) -> Response:
    """HR moves the appraisal to a new supervisor; open supervisor tasks move with it."""
    return await act(request, appraisal_id, me, session, client, "reassign")


@router.post("/appraisals/{appraisal_id}/deadline", include_in_schema=False)
async def extend_deadline(
    request: Request,
    appraisal_id: str,
    me: SignedIn,
    session: SessionDep,
    client: TemporalClientDep,
) -> Response:
    """HR moves an open task's deadline; reminders and escalation start over."""
    return await act(request, appraisal_id, me, session, client, "deadline")


@router.post("/appraisals/{appraisal_id}/cancel", include_in_schema=False)
async def cancel(
    request: Request,
    appraisal_id: str,
    me: SignedIn,
    session: SessionDep,
    client: TemporalClientDep,
) -> Response:
    """HR ends the appraisal (retirement, transfer out); its open tasks close."""
    return await act(request, appraisal_id, me, session, client, "cancel")


@router.get("/appraisals/{appraisal_id}/history.json", include_in_schema=False)
async def history_download(
    appraisal_id: str, me: SignedIn, session: SessionDep, client: TemporalClientDep
) -> Response:
    """The latest run's raw event history as Temporal's JSON, downloaded, for HR and auditors
    (HR's copy has the peers' answers redacted, as the API's)."""
    # What the person may not see is missing to them, whatever their role.
    await appraisals.visible(session, me, appraisal_id)
    body = await appraisals.export_history(session, me, appraisal_id, client=client)
    name = re.sub(r"[^A-Za-z0-9._-]", "_", appraisal_id)
    disposition = f'attachment; filename="{name}-history.json"'
    return Response(
        body, media_type="application/json", headers={"Content-Disposition": disposition}
    )
