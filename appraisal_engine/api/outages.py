"""A dependency that is down answers 503 with a problem body, never a 500 with a traceback."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from temporalio.api.enums.v1 import ResourceExhaustedCause
from temporalio.api.errordetails.v1 import ResourceExhaustedFailure
from temporalio.service import RPCError, RPCStatusCode

from appraisal_engine.api.problems import TITLES, Problem, problem_response

log = logging.getLogger(__name__)
UNAVAILABLE_RPC = (RPCStatusCode.UNAVAILABLE, RPCStatusCode.DEADLINE_EXCEEDED)
# RESOURCE_EXHAUSTED with one of these causes is the server's own limit that passes: requests or
# updates in flight to one workflow (CONCURRENT_LIMIT), requests a second, an overloaded or busy
# server; the client has retried it already. Without a cause (a message over the size limit) or
# with another one (storage full, deployment limits) waiting will not help: a 500.
PASSING_LIMITS = frozenset(
    {
        ResourceExhaustedCause.RESOURCE_EXHAUSTED_CAUSE_RPS_LIMIT,
        ResourceExhaustedCause.RESOURCE_EXHAUSTED_CAUSE_CONCURRENT_LIMIT,
        ResourceExhaustedCause.RESOURCE_EXHAUSTED_CAUSE_SYSTEM_OVERLOADED,
        ResourceExhaustedCause.RESOURCE_EXHAUSTED_CAUSE_PERSISTENCE_LIMIT,
        ResourceExhaustedCause.RESOURCE_EXHAUSTED_CAUSE_BUSY_WORKFLOW,
        ResourceExhaustedCause.RESOURCE_EXHAUSTED_CAUSE_APS_LIMIT,
        ResourceExhaustedCause.RESOURCE_EXHAUSTED_CAUSE_CIRCUIT_BREAKER_OPEN,
        ResourceExhaustedCause.RESOURCE_EXHAUSTED_CAUSE_OPS_LIMIT,
        ResourceExhaustedCause.RESOURCE_EXHAUSTED_CAUSE_BANDWIDTH_LIMIT,
    }
)


def passes(exc: RPCError) -> bool:
    """Whether the service turned the call away for a while (unreachable, out of time, at a
    limit that passes) rather than for good."""
    if exc.status in UNAVAILABLE_RPC:
        return True
    if exc.status != RPCStatusCode.RESOURCE_EXHAUSTED:
        return False
    failure = ResourceExhaustedFailure()
    return any(
        detail.Unpack(failure) and failure.cause in PASSING_LIMITS
        for detail in exc.grpc_status.details
    )


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
        if passes(exc):
            log.warning(
                "workflow service %s on %s %s", exc.status.name, request.method, request.url.path
            )
            return _unavailable("workflow service")
        # The status's name only: the server's message may quote the request.
        log.error(
            "workflow service error %s on %s %s", exc.status.name, request.method, request.url.path
        )
        detail = f"the workflow service answered {exc.status.name}"
        return problem_response(Problem(title=TITLES[500], status=500, detail=detail))

    app.add_exception_handler(DBAPIError, on_database)
    app.add_exception_handler(ConnectionRefusedError, on_connection)
    app.add_exception_handler(RPCError, on_rpc)
