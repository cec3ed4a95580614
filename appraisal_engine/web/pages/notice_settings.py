"""My notice settings: a signed-in person chooses the daily digest (reminders and overdue
notices gathered into one message a day) and quiet hours (nothing sent to them), for
themselves only."""

from __future__ import annotations

from datetime import UTC, datetime, time
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from starlette.responses import RedirectResponse, Response

from appraisal_engine.api.deps import SessionDep
from appraisal_engine.domain.notices import NoticePreferences
from appraisal_engine.services import notice_settings
from appraisal_engine.services.errors import Invalid
from appraisal_engine.web.forms import service_errors
from appraisal_engine.web.i18n import N_
from appraisal_engine.web.render import gettext_for, render
from appraisal_engine.web.routing import PageRoute
from appraisal_engine.web.security import check_form_token
from appraisal_engine.web.session import SignedIn

router = APIRouter(route_class=PageRoute, dependencies=[Depends(check_form_token)])

PATH = "/settings/notices"
TEMPLATE = "notice_settings.html"
NOT_A_TIME = N_("Must be a time of day (HH:MM).")
BOTH_ENDS = N_("Give both the start and the end of the quiet hours, or neither.")
SAME_TIME = N_("The quiet hours must end at another time than they start.")


def _values(preferences: NoticePreferences) -> dict[str, str]:
    def shown(moment: time | None) -> str:
        return moment.strftime("%H:%M") if moment else ""

    return {
        "digest": "on" if preferences.digest else "",
        "quiet_start": shown(preferences.quiet_start),
        "quiet_end": shown(preferences.quiet_end),
    }


def _time(text: str) -> time | None:
    """A time of day as a time input sends it (HH:MM); None when empty; ValueError else."""
    text = text.strip()
    if not text:
        return None
    moment = time.fromisoformat(text)
    return moment.replace(second=0, microsecond=0)


@router.get(PATH, include_in_schema=False)
async def settings_page(request: Request, me: SignedIn, session: SessionDep) -> Response:
    """My digest and quiet hours."""
    preferences = await notice_settings.read(session, me)
    flash = request.session.pop("flash", None)
    return render(request, TEMPLATE, values=_values(preferences), errors={}, flash=flash)


@router.post(PATH, include_in_schema=False)
async def save_settings(
    request: Request,
    me: SignedIn,
    session: SessionDep,
    digest: Annotated[str, Form()] = "",
    quiet_start: Annotated[str, Form()] = "",
    quiet_end: Annotated[str, Form()] = "",
) -> Response:
    """Store my digest and quiet hours; a refused form is shown again with its errors."""
    _ = gettext_for(request)
    values = {"digest": digest, "quiet_start": quiet_start, "quiet_end": quiet_end}
    errors: dict[str, str] = {}
    ends: dict[str, time | None] = {}
    for name in ("quiet_start", "quiet_end"):
        try:
            ends[name] = _time(values[name])
        except ValueError:
            errors[name] = _(NOT_A_TIME)
    if not errors and (ends["quiet_start"] is None) != (ends["quiet_end"] is None):
        missing = "quiet_start" if ends["quiet_start"] is None else "quiet_end"
        errors[missing] = _(BOTH_ENDS)
    elif (
        not errors and ends["quiet_start"] is not None and ends["quiet_start"] == ends["quiet_end"]
    ):
        errors["quiet_end"] = _(SAME_TIME)
    if errors:
        return render(request, TEMPLATE, 422, values=values, errors=errors, flash=None)
    try:
        await notice_settings.save(
            session,
            me,
            digest=bool(digest),
            quiet_start=ends["quiet_start"],
            quiet_end=ends["quiet_end"],
            now=datetime.now(UTC),
        )
    except Invalid as e:  # the page's own checks come first; this is the service's word
        errors = service_errors(e, _, values)
        return render(request, TEMPLATE, 422, values=values, errors=errors, flash=None)
    request.session["flash"] = "saved"
    return RedirectResponse(PATH, status_code=303)
