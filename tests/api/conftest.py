"""API fixtures: the real app over a real worker on the dev server, and tokens for anyone."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment

from appraisal_engine.api.app import create_app
from appraisal_engine.api.auth import mint_token
from appraisal_engine.api.config import ApiConfig, AuthConfig
from appraisal_engine.api.roles import Role
from appraisal_engine.appraisal.worker import build_worker

SECRET = "test-secret-of-at-least-32-bytes-long"
ISSUER = "https://appraisal.tests"
AUDIENCE = "appraisal"
AUTH = AuthConfig(jwt_secret=SECRET, jwt_issuer=ISSUER, audience=AUDIENCE)


def token(nip: str, *roles: Role) -> str:
    """A valid token for `nip` with `roles`."""
    return mint_token(AUTH, nip, list(roles))


def bearer(nip: str, *roles: Role) -> dict[str, str]:
    """The Authorization header for `nip` with `roles`."""
    return {"Authorization": f"Bearer {token(nip, *roles)}"}


@dataclass
class Api:
    """The app under test, its HTTP client, and the worker's task queue."""

    app: FastAPI
    http: httpx.AsyncClient
    env: WorkflowEnvironment
    task_queue: str
    sessions: async_sessionmaker[AsyncSession]


@asynccontextmanager
async def serving(
    client: Client,
    env: WorkflowEnvironment,
    migrated_url: str,
    session_factory: async_sessionmaker[AsyncSession],
) -> AsyncIterator[Api]:
    """The app on `client` (and its data converter) with its lifespan running, a worker on a
    fresh task queue, an HTTP client."""
    queue = f"tq-{uuid.uuid4()}"
    config = ApiConfig(database_url=migrated_url, task_queue=queue, auth=AUTH)
    app = create_app(config, client=client)
    transport = httpx.ASGITransport(app=app)
    async with (
        build_worker(client, queue, session_factory),
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://api") as http,
    ):
        yield Api(app, http, env, queue, session_factory)


@pytest.fixture
async def api(
    dev_env: WorkflowEnvironment,
    migrated_url: str,
    session_factory: async_sessionmaker[AsyncSession],
) -> AsyncIterator[Api]:
    """The app with its lifespan running, a worker on a fresh task queue, an HTTP client."""
    async with serving(dev_env.client, dev_env, migrated_url, session_factory) as running:
        yield running
