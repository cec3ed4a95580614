"""Who is signed in: the session cookie (signed, HttpOnly, SameSite=Lax) holds the NIP and roles
of the person, the form token that every form posts back, and the chosen language."""

from __future__ import annotations

import secrets
from typing import Annotated, Any

from fastapi import Depends, Request

from appraisal_engine.api.auth import Principal
from appraisal_engine.api.roles import Role
from appraisal_engine.web.config import LOCALES, Locale


class SignInRequired(Exception):
    """Nobody is signed in: the page sends them to the sign-in page and back."""


def current(request: Request) -> Principal | None:
    """The signed-in person, if any, as the API's caller: the services' access rules read both
    alike."""
    data: dict[str, Any] = request.session
    if "nip" not in data:
        return None
    return Principal(nip=data["nip"], roles=frozenset(Role(r) for r in data.get("roles", [])))


def signed_in(request: Request) -> Principal:
    """The signed-in person; anyone else is sent to sign in."""
    person = current(request)
    if person is None:
        raise SignInRequired
    return person


SignedIn = Annotated[Principal, Depends(signed_in)]


def sign_in(request: Request, person: Principal) -> None:
    """Start a fresh session for `person`: a new form token, the language kept."""
    language = request.session.get("lang")
    request.session.clear()
    request.session.update(
        {"nip": person.nip, "roles": sorted(person.roles), "csrf": secrets.token_urlsafe(32)}
    )
    if language:
        request.session["lang"] = language


def sign_out(request: Request) -> None:
    """End the session, keeping only the language."""
    language = request.session.get("lang")
    request.session.clear()
    if language:
        request.session["lang"] = language


def form_token(request: Request) -> str:
    """The session's form token, made on first use (the sign-in form needs one too)."""
    token = request.session.get("csrf")
    if not token:
        token = secrets.token_urlsafe(32)
        request.session["csrf"] = token
    return str(token)


def locale_of(request: Request, default: Locale) -> Locale:
    """The language the person chose, or the organisation's default."""
    chosen = request.session.get("lang")
    for locale in LOCALES:
        if chosen == locale:
            return locale
    return default
