"""Request dependencies: the caller, a session per request, the Temporal client."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from fastapi.dependencies.models import Dependant
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from temporalio.client import Client

from appraisal_engine.api.auth import InvalidToken, Principal, TokenVerifier
from appraisal_engine.api.config import ApiConfig
from appraisal_engine.api.problems import FieldError, ProblemError
from appraisal_engine.services import access


@dataclass
class Services:
    """What the lifespan makes once per process and every request shares."""

    config: ApiConfig
    verifier: TokenVerifier
    client: Client
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]


def services(request: Request) -> Services:
    """The process's shared services."""
    found: Services = request.app.state.services
    return found


ServicesDep = Annotated[Services, Depends(services)]
_bearer = HTTPBearer(auto_error=False, description="A JWT whose `sub` is the caller's NIP")


async def current_principal(
    svc: ServicesDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    """The verified caller; 401 for a missing or bad token."""
    challenge = {"WWW-Authenticate": "Bearer"}
    if credentials is None:
        raise ProblemError(401, "a bearer token is required", headers=challenge)
    try:
        return await svc.verifier.verify(credentials.credentials)
    except InvalidToken:
        # The reason stays in the server: it would help someone forging tokens.
        raise ProblemError(401, "the token is not valid", headers=challenge) from None


async def session(svc: ServicesDep) -> AsyncIterator[AsyncSession]:
    """One session per request, committed when the route returns and before the response is
    sent (SessionDep's function scope: a 201 means stored); closing it on an error rolls back."""
    async with svc.sessions() as s:
        yield s
        await s.commit()


def temporal_client(svc: ServicesDep) -> Client:
    """The process's Temporal client."""
    return svc.client


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]
SessionDep = Annotated[AsyncSession, Depends(session, scope="function")]
TemporalClientDep = Annotated[Client, Depends(temporal_client)]


def require_hr(principal: CurrentPrincipal) -> Principal:
    """Only HR; others get 403 (the route is known, the action is not theirs), before the
    body is read."""
    access.require_hr(principal)
    return principal


def require_reader(principal: CurrentPrincipal) -> Principal:
    """HR or an auditor."""
    access.require_reader(principal)
    return principal


def require_auditor(principal: CurrentPrincipal) -> Principal:
    """Only auditors."""
    access.require_auditor(principal)
    return principal


HrPrincipal = Annotated[Principal, Depends(require_hr)]
ReaderPrincipal = Annotated[Principal, Depends(require_reader)]
AuditorPrincipal = Annotated[Principal, Depends(require_auditor)]


def no_unknown_query(request: Request) -> None:
    """Unknown query parameters are an error, as unknown body fields are: a misspelt filter
    would otherwise answer with the whole unfiltered list."""
    dependant: Dependant | None = getattr(request.scope.get("route"), "dependant", None)
    if dependant is None:
        return
    unknown = sorted(set(request.query_params) - _query_names(dependant))
    if unknown:
        raise ProblemError(
            422,
            f"{len(unknown)} field error(s)",
            errors=[
                FieldError(field=f"query.{n}", message="not a parameter here") for n in unknown
            ],
        )


def _query_names(dependant: Dependant) -> set[str]:
    names = {p.alias for p in dependant.query_params}
    for sub in dependant.dependencies:
        names |= _query_names(sub)
    return names
