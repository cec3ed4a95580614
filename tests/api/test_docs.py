"""The documentation pages work without internet: every asset they load comes from the app."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import httpx
import pytest

from appraisal_engine.api.app import create_app
from appraisal_engine.api.config import ApiConfig
from tests.api.conftest import AUTH

# What a page loads: src, href and spec-url attributes, and the url: given to SwaggerUIBundle.
_REFERENCES = re.compile(r"""(?:src|href|spec-url)=["']([^"']+)["']|url: *["']([^"']+)["']""")


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    """The app without its lifespan: the docs need neither Temporal nor the database."""
    app = create_app(ApiConfig(database_url="sqlite+aiosqlite://", auth=AUTH))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://api") as client:
        yield client


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
async def test_a_docs_page_loads_only_same_origin_assets(
    http: httpx.AsyncClient, page: str
) -> None:
    r = await http.get(page)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    absolute = re.findall(r"""(?:https?:)?//[^\s"'<>]+""", r.text)
    assert not absolute, f"{page} reaches outside the app: {absolute}"
    urls = {a or b for a, b in _REFERENCES.findall(r.text)}
    scripts = [u for u in urls if u.endswith(".js")]
    assert scripts, f"{page} loads no script: {urls}"
    for url in urls:
        assert url.startswith("/") and not url.startswith("//"), url
        asset = await http.get(url)
        assert asset.status_code == 200, url
        assert len(asset.content) > 1000, url
    assert "/openapi.json" in urls
