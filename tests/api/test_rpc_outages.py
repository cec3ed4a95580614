"""What the workflow service answers when it cannot take a call becomes 503 with Retry-After; any
other failure of the service is a 500 that names the status, never the server's message; an
update whose deadline passed is a 503 that says to look before sending again."""

from __future__ import annotations

import asyncio
import logging

import httpx
import pytest
from fastapi import FastAPI
from temporalio.client import WorkflowUpdateRPCTimeoutOrCancelledError
from temporalio.service import RPCError, RPCStatusCode

from appraisal_engine.api import outages, problems
from appraisal_engine.services.workflow_calls import workflow_call

SECRET = "workflow appraisal-x: Budi Santoso"  # a server message may quote the request


def app_raising(make: type[BaseException] | None, status: RPCStatusCode) -> FastAPI:
    app = FastAPI()
    problems.install(app)
    outages.install(app)

    @app.post("/call")
    async def call() -> None:
        async with workflow_call():
            try:
                raise RPCError(SECRET, status, b"")
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
    "status",
    [RPCStatusCode.RESOURCE_EXHAUSTED, RPCStatusCode.UNAVAILABLE, RPCStatusCode.DEADLINE_EXCEEDED],
    ids=lambda status: status.name,
)
async def test_a_service_that_cannot_take_the_call_is_a_503(
    status: RPCStatusCode, caplog: pytest.LogCaptureFixture
) -> None:
    r = await post(app_raising(None, status))
    assert r.status_code == 503, r.text
    assert r.headers["retry-after"] == "5"
    assert r.headers["content-type"] == "application/problem+json"
    assert "workflow service" in r.json()["detail"]
    assert status.name in caplog.text and SECRET not in caplog.text + r.text


async def test_another_failure_is_a_500_naming_the_status_only(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.ERROR):
        r = await post(app_raising(None, RPCStatusCode.INTERNAL))
    assert r.status_code == 500, r.text
    assert r.json()["detail"] == "the workflow service answered INTERNAL"
    assert "INTERNAL on POST /call" in caplog.text
    assert SECRET not in caplog.text + r.text


async def test_an_update_past_its_deadline_is_a_503_that_says_to_look_first() -> None:
    r = await post(app_raising(WorkflowUpdateRPCTimeoutOrCancelledError, RPCStatusCode.CANCELLED))
    assert r.status_code == 503, r.text
    assert "look at it before sending the request again" in r.json()["detail"]


async def test_the_callers_own_cancellation_is_not_turned_into_an_answer() -> None:
    async def cancelled() -> None:
        async with workflow_call():
            raise WorkflowUpdateRPCTimeoutOrCancelledError() from asyncio.CancelledError()

    with pytest.raises(WorkflowUpdateRPCTimeoutOrCancelledError):
        await cancelled()
