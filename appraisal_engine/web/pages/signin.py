"""Signing in and out, and the language switch. The sign-in page offers single sign-on when it
is configured (pages/sso.py) and, in development, lists the demo people by role; a person's NIP
alone signs them in there, so that list is never on outside `appraisal dev`."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from starlette.responses import RedirectResponse, Response

from appraisal_engine.api.auth import Principal
from appraisal_engine.domain.nip import parse_nip
from appraisal_engine.web import oidc
from appraisal_engine.web.config import LOCALES
from appraisal_engine.web.render import config_of, render
from appraisal_engine.web.routing import PageRoute
from appraisal_engine.web.security import check_form_token
from appraisal_engine.web.session import current, sign_in, sign_out

router = APIRouter(route_class=PageRoute, dependencies=[Depends(check_form_token)])


def safe_next(target: str | None) -> str:
    """Where to go after signing in: a path on this site only, never another site's."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/tasks"


@router.get("/", include_in_schema=False)
async def home(request: Request) -> Response:
    """The inbox, or the sign-in page."""
    return RedirectResponse("/tasks" if current(request) else "/signin", status_code=303)


@router.get("/signin", include_in_schema=False)
async def signin_page(request: Request, next: str | None = None, out: bool = False) -> Response:
    """The sign-in page; just after signing out (`out`), a link to sign out of single sign-on
    too."""
    config = config_of(request)
    sso_logout = await oidc.end_session_url(request, config.oidc) if out and config.oidc else None
    return _page(request, 200, next, sso_logout=sso_logout)


def _page(
    request: Request,
    status: int,
    next: str | None,
    *,
    error: str | None = None,
    sso_logout: str | None = None,
) -> Response:
    config = config_of(request)
    return render(
        request,
        "signin.html",
        status,
        people=config.dev_people,
        caught_mail=config.dev_mail is not None,
        next=safe_next(next),
        error=error,
        sso=config.oidc is not None,
        sso_logout=sso_logout,
    )


@router.post("/signin", include_in_schema=False)
async def signin(
    request: Request,
    nip: Annotated[str, Form()],
    next: Annotated[str, Form()] = "/tasks",
) -> Response:
    """Development sign-in: the listed person, or any NIP typed in (as an employee)."""
    config = config_of(request)
    if not config.dev_signin:
        return render(request, "error.html", 404, error="missing")
    listed = {p.nip: p for p in config.dev_people}
    nip = nip.strip()
    if nip in listed:
        person = Principal(nip=nip, roles=frozenset(listed[nip].roles))
    else:
        try:
            parse_nip(nip)
        except ValueError:
            return _page(request, 422, next, error="nip")
        person = Principal(nip=nip)
    sign_in(request, person)
    return RedirectResponse(safe_next(next), status_code=303)


@router.post("/signout", include_in_schema=False)
async def signout(request: Request) -> Response:
    """Sign out of this app. A form cannot redirect to the identity provider (the pages' CSP
    allows forms to this site only), so the sign-in page links there instead."""
    sign_out(request)
    return RedirectResponse(
        "/signin?out=1" if config_of(request).oidc else "/signin", status_code=303
    )


@router.post("/language", include_in_schema=False)
async def language(
    request: Request,
    lang: Annotated[str, Form()],
    back: Annotated[str, Form()] = "/tasks",
) -> Response:
    """Switch between Bahasa Indonesia and English."""
    if lang in LOCALES:
        request.session["lang"] = lang
    return RedirectResponse(safe_next(back), status_code=303)
