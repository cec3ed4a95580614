"""The FastAPI application: one Temporal client and one engine per process, made in the lifespan."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import Depends, FastAPI
from fastapi.middleware.cors import CORSMiddleware
from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.converter import DataConverter

from appraisal_engine.api import docs, outages, problems
from appraisal_engine.api.auth import TokenVerifier
from appraisal_engine.api.config import ApiConfig
from appraisal_engine.api.deps import Services, no_unknown_query
from appraisal_engine.api.limits import UPLOADS, BodyLimitMiddleware
from appraisal_engine.api.metrics import MetricsMiddleware
from appraisal_engine.api.openapi import finish
from appraisal_engine.api.routers import (
    appraisals,
    audit,
    codec,
    cycles,
    follow_up,
    health,
    policies,
    rosters,
    tasks,
    unit_ratings,
)
from appraisal_engine.store.db import make_engine, make_session_factory

DESCRIPTION = """
Yearly performance appraisal of civil servants (ASN), one durable workflow per employee.

**Authentication**: `Authorization: Bearer <JWT>`; `sub` is your NIP, `roles` may hold `hr` and
`auditor`. Being an employee, supervisor, peer or mentor comes from the tasks assigned to you.

**Errors** are `application/problem+json`: 401 no or bad token, 403 not allowed, 404 unknown
(also for what exists but is not yours to see), 409 wrong stage, already done or superseded,
422 invalid body with every field error listed, 503 a dependency is down.

**Lists** are pages: pass `limit` (1-200) and `offset`; follow `next_offset` until it is null.
"""


def create_app(
    config: ApiConfig,
    *,
    client: Client | None = None,
    data_converter: DataConverter | None = None,
) -> FastAPI:
    """The app; pass a connected client in tests, or let the lifespan connect one."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        temporal = client or await Client.connect(
            config.temporal_address,
            namespace=config.temporal_namespace,
            data_converter=data_converter or pydantic_data_converter,
        )
        engine = make_engine(config.database_url)
        app.state.services = Services(
            config=config,
            verifier=TokenVerifier(config.auth),
            client=temporal,
            engine=engine,
            sessions=make_session_factory(engine),
        )
        try:
            yield
        finally:
            await engine.dispose()

    app = FastAPI(
        title="Appraisal cycle engine",
        version="1.0.0",
        description=DESCRIPTION,
        lifespan=lifespan,
        dependencies=[Depends(no_unknown_query)],
        docs_url=None,  # served by api.docs, without a CDN
        redoc_url=None,
    )
    generated = app.openapi

    def openapi() -> dict[str, Any]:
        # Generated once, then corrected once: FastAPI caches the document it returns.
        return app.openapi_schema or finish(generated())

    app.openapi = openapi  # type: ignore[method-assign]
    problems.install(app)
    outages.install(app)
    docs.install(app)
    routers = (
        rosters,
        cycles,
        unit_ratings,
        tasks,
        appraisals,
        follow_up,
        audit,
        policies,
        codec,
        health,
    )
    for module in routers:
        app.include_router(module.router)
    # The middleware keeps this dict: share_upload_limit adds the web app's upload page to it.
    app.state.body_limits = {UPLOADS: config.max_upload_bytes}
    app.add_middleware(
        BodyLimitMiddleware, default=config.max_body_bytes, larger=app.state.body_limits
    )
    app.add_middleware(MetricsMiddleware)
    if config.codec_cors_origins:
        # The Temporal UI calls the codec from the browser, with the user's bearer token.
        app.add_middleware(
            CORSMiddleware,
            allow_origins=config.codec_cors_origins,
            allow_methods=["POST"],
            allow_headers=["Authorization", "Content-Type", "X-Namespace"],
        )
    return app
