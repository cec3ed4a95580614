"""What the workflow service answers when it cannot take the call for a while (unreachable, out
of time, at a limit that passes) becomes 503 with Retry-After; any other failure of the service,
a limit that will not pass among them, is a 500 that names the status, never the server's
message; an update whose deadline passed is a 503 that says to look before sending again; the
caller's own cancellation stays a cancellation."""

from __future__ import annotations

import asyncio
import logging

import httpx
import pytest
from fastapi import FastAPI
from temporalio.api.common.v1 import GrpcStatus
from temporalio.api.enums.v1 import ResourceExhaustedCause
from temporalio.api.errordetails.v1 import ResourceExhaustedFailure
from temporalio.client import WorkflowUpdateRPCTimeoutOrCancelledError
from temporalio.service import RPCError, RPCStatusCode

from appraisal_engine.api import outages, problems
from appraisal_engine.services.workflow_calls import workflow_call

SECRET = "workflow appraisal-x: Budi Santoso"  # a server message may quote the request


def limit(cause: ResourceExhaustedCause.ValueType) -> bytes:
    """The gRPC status the server sends with RESOURCE_EXHAUSTED: its cause in the details."""
    status = GrpcStatus(code=RPCStatusCode.RESOURCE_EXHAUSTED, message=SECRET)
    status.details.add().Pack(ResourceExhaustedFailure(cause=cause))
    return status.SerializeToString()


IN_FLIGHT = limit(ResourceExhaustedCause.RESOURCE_EXHAUSTED_CAUSE_CONCURRENT_LIMIT)
STORAGE_FULL = limit(ResourceExhaustedCause.RESOURCE_EXHAUSTED_CAUSE_PERSISTENCE_STORAGE_LIMIT)


def app_raising(
    make: type[BaseException] | None, status: RPCStatusCode, raw: bytes = b""
) -> FastAPI:
    app = FastAPI()
    problems.install(app)
    outages.install(app)

    @app.post("/call")
    async def call() -> None:
        async with workflow_call():
            try:
                raise RPCError(SECRET, status, raw)
            except RPCError as e:
                if make is None:
                    raise
                raise make() from e

    return app


async def post(app: FastAPI) -> httpx.Response:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://api") as http:
        return await http.post("/call")


@pytest.mark.parametrize(
    ("status", "raw"),
    [
        (RPCStatusCode.RESOURCE_EXHAUSTED, IN_FLIGHT),
        (RPCStatusCode.UNAVAILABLE, b""),
        (RPCStatusCode.DEADLINE_EXCEEDED, b""),
    ],
    ids=["updates-in-flight", "unavailable", "deadline"],
)
async def test_a_service_that_cannot_take_the_call_is_a_503(
    status: RPCStatusCode, raw: bytes, caplog: pytest.LogCaptureFixture
) -> None:
    r = await post(app_raising(None, status, raw))
    assert r.status_code == 503, r.text
    assert r.headers["retry-after"] == "5"
    assert r.headers["content-type"] == "application/problem+json"
    assert "workflow service" in r.json()["detail"]
    assert status.name in caplog.text and SECRET not in caplog.text + r.text


@pytest.mark.parametrize(
    ("status", "raw"),
    [
        (RPCStatusCode.INTERNAL, b""),
        (RPCStatusCode.RESOURCE_EXHAUSTED, STORAGE_FULL),
        (RPCStatusCode.RESOURCE_EXHAUSTED, b""),  # e.g. a message over the size limit
    ],
    ids=["internal", "storage-full", "no-cause"],
)
async def test_another_failure_is_a_500_naming_the_status_only(
    status: RPCStatusCode, raw: bytes, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR):
        r = await post(app_raising(None, status, raw))
    assert r.status_code == 500, r.text
    assert r.json()["detail"] == f"the workflow service answered {status.name}"
    assert f"{status.name} on POST /call" in caplog.text
    assert SECRET not in caplog.text + r.text


async def test_an_update_past_its_deadline_is_a_503_that_says_to_look_first() -> None:
    r = await post(app_raising(WorkflowUpdateRPCTimeoutOrCancelledError, RPCStatusCode.CANCELLED))
    assert r.status_code == 503, r.text
    assert "look at it before sending the request again" in r.json()["detail"]


async def test_the_callers_own_cancellation_is_given_back_as_a_cancellation() -> None:
    async def cancelled() -> None:
        async with workflow_call():
            raise WorkflowUpdateRPCTimeoutOrCancelledError() from asyncio.CancelledError()

    with pytest.raises(asyncio.CancelledError):
        await cancelled()
