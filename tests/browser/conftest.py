"""Browser fixtures: the app with the web app served by uvicorn on a free port, a worker on
the dev server, and Debian's Chromium driven by Playwright (never a downloaded browser). A
failing test leaves a screenshot of every open page under var/screenshots/."""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import uuid
from collections.abc import AsyncIterator, Generator, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import uvicorn
from playwright.async_api import Browser, BrowserContext, Page, ViewportSize, async_playwright
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio.testing import WorkflowEnvironment

from appraisal_engine.api.app import create_app
from appraisal_engine.api.config import ApiConfig
from appraisal_engine.appraisal.worker import build_worker
from appraisal_engine.web.app import install
from tests.api.conftest import AUTH
from tests.ports import free_port
from tests.web.conftest import WEB

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
SHOTS = Path("var/screenshots")
PHONE: ViewportSize = {"width": 390, "height": 844}
DESKTOP: ViewportSize = {"width": 1280, "height": 900}


async def shoot(page: Page, name: str) -> None:
    """With PAGE_SHOTS=1, keep the page as it stands at a phone's width and a desktop's under
    var/screenshots/ (once per name), to look at by eye; otherwise nothing."""
    if not os.environ.get("PAGE_SHOTS"):
        return
    if (SHOTS / f"{name}-390.png").exists():
        return
    SHOTS.mkdir(parents=True, exist_ok=True)  # noqa: ASYNC240 (only when asked for shots)
    size = page.viewport_size
    for width, viewport in (("390", PHONE), ("1280", DESKTOP)):
        await page.set_viewport_size(viewport)
        await page.screenshot(path=str(SHOTS / f"{name}-{width}.png"), full_page=True)
    if size is not None:
        await page.set_viewport_size(size)


class _Server(uvicorn.Server):
    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


@dataclass
class Site:
    """The served app, its worker's task queue, and the browser's contexts (one a person)."""

    base: str
    env: WorkflowEnvironment
    task_queue: str
    sessions: async_sessionmaker[AsyncSession]
    browser: Browser
    contexts: list[BrowserContext] = field(default_factory=list)

    async def page_for(self, nip: str, *, phone: bool = False) -> Page:
        """A fresh browser (its own cookies) signed in as `nip` through the sign-in page."""
        context = await self.browser.new_context(
            viewport=PHONE if phone else DESKTOP, base_url=self.base, locale="id-ID"
        )
        self.contexts.append(context)
        page = await context.new_page()
        await page.goto("/signin")
        await page.get_by_label(re.compile("NIP")).fill(nip)
        await page.get_by_label(re.compile("NIP")).press("Enter")
        await page.wait_for_url("**/tasks")
        return page


@pytest.fixture(scope="session")
def chromium_path() -> str:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install -y chromium (CI's script does)")
    return CHROMIUM


@pytest.fixture
async def site(
    request: pytest.FixtureRequest,
    chromium_path: str,
    dev_env: WorkflowEnvironment,
    migrated_url: str,
    session_factory: async_sessionmaker[AsyncSession],
) -> AsyncIterator[Site]:
    queue = f"tq-{uuid.uuid4()}"
    config = ApiConfig(database_url=migrated_url, task_queue=queue, auth=AUTH)
    app = install(create_app(config, client=dev_env.client), WEB)
    port = free_port()
    server = _Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    async with build_worker(dev_env.client, queue, session_factory), async_playwright() as pw:
        serving = asyncio.create_task(server.serve())
        while not server.started and not serving.done():  # noqa: ASYNC110 (a plain flag)
            await asyncio.sleep(0.05)
        browser = await pw.chromium.launch(executable_path=chromium_path, headless=True)
        site = Site(f"http://127.0.0.1:{port}", dev_env, queue, session_factory, browser)
        try:
            yield site
        finally:
            report = getattr(request.node, "rep_call", None)
            if report is not None and report.failed:
                SHOTS.mkdir(parents=True, exist_ok=True)  # noqa: ASYNC240 (once, on failure)
                for i, context in enumerate(site.contexts):
                    for j, page in enumerate(context.pages):
                        path = SHOTS / f"{request.node.name}-{i}-{j}.png"
                        await page.screenshot(path=str(path), full_page=True)
            await browser.close()
            server.should_exit = True
            await serving


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Keep each phase's report on the test item, for the screenshot on failure."""
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report
