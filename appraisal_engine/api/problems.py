"""Errors as `application/problem+json` (RFC 9457): one shape for every failure, no tracebacks."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from appraisal_engine.services.errors import (
    Conflict,
    Forbidden,
    Invalid,
    NotFound,
    ServiceError,
    Unavailable,
)

PROBLEM_JSON = "application/problem+json"
log = logging.getLogger(__name__)

TITLES = {
    400: "Bad request",
    401: "Not authenticated",
    403: "Not allowed",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    413: "Request too large",
    415: "Unsupported media type",
    422: "Invalid request",
    500: "Internal error",
    503: "Service unavailable",
}


class FieldError(BaseModel):
    """One problem with one field of the request (for a roster file, also its row)."""

    row: int | None = Field(default=None, examples=[None])
    field: str = Field(examples=["body.review.results.0.rating"])
    message: str = Field(examples=["Input should be 'below', 'meets' or 'above'"])


class Problem(BaseModel):
    """An RFC 9457 problem document; `errors` lists every field error, `violations` the curve's."""

    type: str = Field(default="about:blank", examples=["about:blank"])
    title: str = Field(examples=["Conflict"])
    status: int = Field(examples=[409])
    detail: str | None = Field(default=None, examples=["the task is already done"])
    code: str | None = Field(default=None, examples=["TaskClosed"])
    errors: list[FieldError] | None = None
    violations: list[dict[str, Any]] | None = None


class ProblemError(Exception):
    """Raised anywhere in a request to answer with a problem document."""

    def __init__(
        self,
        status: int,
        detail: str | None = None,
        *,
        code: str | None = None,
        errors: list[FieldError] | None = None,
        violations: list[dict[str, Any]] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(detail or TITLES.get(status, ""))
        self.problem = Problem(
            title=TITLES.get(status, "Error"),
            status=status,
            detail=detail,
            code=code,
            errors=errors,
            violations=violations,
        )
        self.headers = headers


SERVICE_STATUS: dict[type[ServiceError], int] = {
    NotFound: 404,  # also for what exists but the caller may not see
    Forbidden: 403,
    Conflict: 409,
    Invalid: 422,
    Unavailable: 503,
}


def service_status(e: ServiceError) -> int:
    """The HTTP status a service's refusal is answered with, by its kind."""
    return next((s for kind, s in SERVICE_STATUS.items() if isinstance(e, kind)), 500)


def service_problem(e: ServiceError) -> Problem:
    """The problem for a service's refusal: its status by kind, its words as they are."""
    status = service_status(e)
    errors = [
        FieldError(
            row=i.row, field=".".join(p for p in (e.within, i.field) if p), message=i.message
        )
        for i in e.issues
    ]
    return Problem(
        title=TITLES[status],
        status=status,
        detail=e.detail,
        code=e.code,
        errors=errors or None,
        violations=e.violations if isinstance(e, Conflict) else None,
    )


def problem_response(problem: Problem, headers: dict[str, str] | None = None) -> JSONResponse:
    """Render a problem with its media type."""
    return JSONResponse(
        problem.model_dump(mode="json", exclude_none=True),
        status_code=problem.status,
        media_type=PROBLEM_JSON,
        headers=headers,
    )


def field_errors(errors: Any) -> list[FieldError]:
    """Pydantic's errors as field/message pairs, locations joined with dots."""
    return [
        FieldError(field=".".join(str(p) for p in e.get("loc", ())), message=str(e.get("msg", "")))
        for e in errors
    ]


def allowed_methods(request: Request) -> str:
    """Every method the path answers to: one route per method, so Starlette's own 405 names
    only the first route's."""
    methods: set[str] = set()
    for route in request.app.router.routes:
        match, _ = route.matches(request.scope)
        if match is not Match.NONE:
            methods |= getattr(route, "methods", None) or set()
    return ", ".join(sorted(methods))


def install(app: FastAPI) -> None:
    """Route every error the app can raise through the problem shape."""

    async def on_problem(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, ProblemError)
        return problem_response(exc.problem, exc.headers)

    async def on_service(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, ServiceError)
        return problem_response(service_problem(exc))

    async def on_validation(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        errors = field_errors(exc.errors())
        detail = f"{len(errors)} field error(s)"
        return problem_response(
            Problem(title=TITLES[422], status=422, detail=detail, errors=errors)
        )

    async def on_http(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, StarletteHTTPException)
        problem = Problem(
            title=TITLES.get(exc.status_code, "Error"),
            status=exc.status_code,
            detail=str(exc.detail) if exc.detail else None,
        )
        headers = dict(exc.headers) if exc.headers else {}
        if exc.status_code == 405:
            headers["Allow"] = allowed_methods(request)
        return problem_response(problem, headers or None)

    async def on_unexpected(request: Request, exc: Exception) -> JSONResponse:
        # Logged with the route only: request bodies may hold personal data.
        log.error("unhandled %s on %s %s", type(exc).__name__, request.method, request.url.path)
        return problem_response(Problem(title=TITLES[500], status=500))

    app.add_exception_handler(ProblemError, on_problem)
    app.add_exception_handler(ServiceError, on_service)
    app.add_exception_handler(RequestValidationError, on_validation)
    app.add_exception_handler(StarletteHTTPException, on_http)
    app.add_exception_handler(Exception, on_unexpected)
