"""With the database down the API answers 503 with a problem body, and readiness says which
dependency is unreachable; it never answers 500 with a traceback."""

from __future__ import annotations

import httpx
from temporalio.testing import WorkflowEnvironment

from appraisal_engine.api.app import create_app
from appraisal_engine.api.config import ApiConfig
from tests.api.conftest import AUTH, bearer

EMPLOYEE = "198001152006041001"
NOWHERE = "postgresql+asyncpg://postgres@127.0.0.1:1/none"  # nothing listens on port 1


async def test_the_database_down_is_a_503(dev_env: WorkflowEnvironment) -> None:
    app = create_app(ApiConfig(database_url=NOWHERE, auth=AUTH), client=dev_env.client)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://api") as http,
    ):
        r = await http.get("/v1/tasks", headers=bearer(EMPLOYEE))
        assert r.status_code == 503, r.text
        assert r.headers["content-type"] == "application/problem+json"
        assert r.headers["retry-after"] == "5"
        assert "Traceback" not in r.text and "database" in r.json()["detail"]
        ready = await http.get("/readyz")
        assert ready.status_code == 503 and "database" in ready.json()["detail"]
        assert (await http.get("/healthz")).status_code == 200
