"""Single sign-on's two steps: off to the organisation's identity provider, and back with a
code that signs the person in (a fresh session). Off unless the settings configure it."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from starlette.responses import RedirectResponse, Response

from appraisal_engine.web import oidc
from appraisal_engine.web.pages.signin import safe_next
from appraisal_engine.web.render import config_of, render
from appraisal_engine.web.routing import PageRoute
from appraisal_engine.web.session import sign_in

router = APIRouter(route_class=PageRoute)


def provider_answer(
    code: str | None = None,
    state: str | None = None,
    error: str | None = None,
    error_description: str | None = None,
    error_uri: str | None = None,
    iss: str | None = None,
    session_state: str | None = None,
    scope: str | None = None,
    authuser: str | None = None,
    prompt: str | None = None,
    hd: str | None = None,
) -> None:
    """The query parameters identity providers send back (RFC 6749, RFC 9207, and a few that
    common providers add), named so that the app's refusal of unknown ones lets them through;
    Authlib reads them from the request itself."""


ProviderAnswer = Annotated[None, Depends(provider_answer)]


@router.get("/signin/sso", include_in_schema=False)
async def sso_start(request: Request, next: str | None = None) -> Response:
    """Sign in with the organisation's account: off to its identity provider."""
    config = config_of(request).oidc
    if config is None:
        return render(request, "error.html", 404, error="missing")
    try:
        return await oidc.start(request, config, safe_next(next))
    except oidc.SignInFailed:
        return render(request, "error.html", 502, error="signin")


@router.get("/signin/sso/callback", name=oidc.CALLBACK_ROUTE, include_in_schema=False)
async def sso_callback(request: Request, _answer: ProviderAnswer) -> Response:
    """Back from the identity provider: sign the person its ID token names in."""
    config = config_of(request).oidc
    if config is None:
        return render(request, "error.html", 404, error="missing")
    next_path = safe_next(request.session.get(oidc.NEXT_KEY))  # sign_in clears it
    try:
        person = await oidc.finish(request, config)
    except oidc.SignInFailed:
        return render(request, "error.html", 401, error="signin")
    sign_in(request, person)
    return RedirectResponse(next_path, status_code=303)
