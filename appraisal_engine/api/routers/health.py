"""Liveness, readiness (Temporal and the database reachable) and Prometheus metrics."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any

from fastapi import APIRouter, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from pydantic import BaseModel
from sqlalchemy import text
from temporalio.api.workflowservice.v1 import GetSystemInfoRequest

from appraisal_engine.api.deps import ServicesDep
from appraisal_engine.api.openapi import responses
from appraisal_engine.api.problems import ProblemError

router = APIRouter(tags=["health"])
CHECK_TIMEOUT_S = 3.0


class Health(BaseModel):
    """Each dependency's state."""

    status: str
    checks: dict[str, str] = {}


@router.get("/healthz")
async def healthz() -> Health:
    """The process is up."""
    return Health(status="ok")


@router.get("/readyz", responses=responses(503))
async def readyz(svc: ServicesDep) -> Health:
    """Ready when both Temporal and the database answer; 503 naming which does not."""
    database, temporal = await asyncio.gather(_check(_database(svc)), _check(_temporal(svc)))
    checks = {"database": database, "temporal": temporal}
    down = sorted(name for name, state in checks.items() if state != "ok")
    if down:
        raise ProblemError(503, f"not ready: {', '.join(down)} unreachable")
    return Health(status="ok", checks=checks)


async def _database(svc: ServicesDep) -> None:
    async with svc.engine.connect() as connection:
        await connection.execute(text("SELECT 1"))


async def _temporal(svc: ServicesDep) -> None:
    await svc.client.workflow_service.get_system_info(GetSystemInfoRequest())


async def _check(probe: Coroutine[Any, Any, None]) -> str:
    try:
        await asyncio.wait_for(probe, CHECK_TIMEOUT_S)
    except Exception:
        return "unreachable"
    return "ok"


@router.get("/metrics", response_class=Response)
async def metrics() -> Response:
    """Prometheus text format: request counts and latencies by route and status."""
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
