"""A dependency that is down answers 503 with a problem body, never a 500 with a traceback."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from temporalio.service import RPCError, RPCStatusCode

from appraisal_engine.api.problems import TITLES, Problem, problem_response

log = logging.getLogger(__name__)
UNAVAILABLE_RPC = (RPCStatusCode.UNAVAILABLE, RPCStatusCode.DEADLINE_EXCEEDED)


def _unavailable(what: str) -> JSONResponse:
    detail = f"the {what} is unavailable; try again shortly"
    return problem_response(
        Problem(title=TITLES[503], status=503, detail=detail), headers={"Retry-After": "5"}
    )


def install(app: FastAPI) -> None:
    """Map lost database connections and an unreachable Temporal to 503."""

    async def on_database(request: Request, exc: Exception) -> JSONResponse:
        lost = isinstance(exc, OperationalError | InterfaceError) or (
            isinstance(exc, DBAPIError) and exc.connection_invalidated
        )
        if not lost:
            log.error("database error on %s %s", request.method, request.url.path)
            return problem_response(Problem(title=TITLES[500], status=500))
        log.warning("database unavailable on %s %s", request.method, request.url.path)
        return _unavailable("database")

    async def on_connection(request: Request, exc: Exception) -> JSONResponse:
        log.warning("connection refused on %s %s", request.method, request.url.path)
        return _unavailable("database")

    async def on_rpc(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RPCError)
        if exc.status in UNAVAILABLE_RPC:
            return _unavailable("workflow service")
        log.error("workflow service error %s on %s", exc.status.name, request.url.path)
        return problem_response(Problem(title=TITLES[500], status=500))

    app.add_exception_handler(DBAPIError, on_database)
    app.add_exception_handler(ConnectionRefusedError, on_connection)
    app.add_exception_handler(RPCError, on_rpc)
