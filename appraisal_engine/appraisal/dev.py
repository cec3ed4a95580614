"""`appraisal dev`: the Temporal dev server, migrations, a worker and the API in one process tree,
with state kept under var/ so a second start resumes where the first stopped."""

from __future__ import annotations

import asyncio
import contextlib
import secrets
import signal
import socket
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import uvicorn

from appraisal_engine.api.app import create_app
from appraisal_engine.appraisal.collector import tidied_after_work, tune_collector
from appraisal_engine.appraisal.dev_demo import load_demo
from appraisal_engine.appraisal.dev_server import start_own_server, stop_stale
from appraisal_engine.appraisal.i18n import _
from appraisal_engine.appraisal.mail_catcher import CaughtMail
from appraisal_engine.appraisal.notices import notice_sender
from appraisal_engine.appraisal.settings import Settings
from appraisal_engine.appraisal.worker import build_worker
from appraisal_engine.client.connect import converter as settings_converter
from appraisal_engine.notices.config import SmtpConfig
from appraisal_engine.store.db import make_engine, make_session_factory
from appraisal_engine.store.migrate import upgrade
from appraisal_engine.web.app import install

DEV_SENDER = "penilaian@kota-contoh.example"


class PortBusy(RuntimeError):
    """A port the dev stack needs is taken."""


@dataclass(frozen=True)
class DevOptions:
    """Where the stack keeps its state and which ports it listens on (all on 127.0.0.1)."""

    var: Path = Path("var")
    api_port: int = 8000
    temporal_port: int = 7233
    ui_port: int = 8233
    smtp_port: int = 1025
    demo: bool = False
    policy: str = "national"
    employees: int = 48


class _Server(uvicorn.Server):
    """Uvicorn without its own signal handling: the dev stack stops every part in order."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


def check_ports(options: DevOptions) -> None:
    """Fail early, naming the option to change, when a port is taken."""
    for name, port in (
        ("--api-port", options.api_port),
        ("--temporal-port", options.temporal_port),
        ("--ui-port", options.ui_port),
        ("--smtp-port", options.smtp_port),
    ):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            # As servers do: a port left in TIME_WAIT by the last run is free to listen on.
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                said = _("port %(port)s is busy: stop what uses it or pass %(option)s")
                raise PortBusy(said % {"port": port, "option": name}) from None


def jwt_secret(settings: Settings, var: Path) -> str:
    """JWT_SECRET, or one made on the first start and kept in var/ so tokens outlive restarts."""
    return kept_secret(settings.jwt_secret, var / "jwt-secret")


def kept_secret(given: str, path: Path) -> str:
    """`given`, or a secret made on the first start and kept at `path` (owner-only)."""
    if given:
        return given
    if not path.exists():
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


async def run_dev(settings: Settings, options: DevOptions, say: Callable[[str], None]) -> None:
    """Start everything, optionally load the demo city, and run until SIGINT or SIGTERM."""
    options.var.mkdir(parents=True, exist_ok=True)
    stale = await stop_stale(options.var, options.var / "temporal.db")
    if stale is not None:
        say(_("stopped the Temporal server (pid %(pid)s) an earlier start left running", pid=stale))
    check_ports(options)
    database_url = f"sqlite+aiosqlite:///{options.var / 'appraisal.db'}"
    await upgrade(database_url)
    say(_("database: %(path)s (migrated)", path=options.var / "appraisal.db"))
    converter = settings_converter(settings)
    env = await start_own_server(
        options.var, port=options.temporal_port, ui_port=options.ui_port, data_converter=converter
    )
    engine = make_engine(database_url)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        base = settings.api_config(development=True)
        config = base.model_copy(
            update={
                "database_url": database_url,
                "temporal_address": f"127.0.0.1:{options.temporal_port}",
                "auth": base.auth.model_copy(
                    update={"jwt_secret": jwt_secret(settings, options.var)}
                ),
            }
        )
        session_secret = kept_secret(settings.session_secret, options.var / "session-secret")
        app = install(
            create_app(config, client=env.client),
            settings.web_config(
                development=True, session_secret=session_secret, dev_mail=options.var / "mail"
            ),
        )
        server = _Server(
            uvicorn.Config(app, host="127.0.0.1", port=options.api_port, log_level="warning")
        )
        sessions = make_session_factory(engine)
        worker = build_worker(
            env.client,
            config.task_queue,
            sessions,
            sandboxed=settings.workflow_sandbox,
            max_cached_workflows=settings.worker_max_cached_workflows,
        )
        # Notices go to the local catcher, never to SMTP_HOST: demo people are not real.
        catcher = SmtpConfig(
            host="127.0.0.1",
            port=options.smtp_port,
            starttls=False,
            sender=settings.smtp_from or DEV_SENDER,
        )
        notices = settings.notice_config(
            smtp=catcher, public_url=f"http://127.0.0.1:{options.api_port}"
        )
        tune_collector()
        async with (
            tidied_after_work(settings.worker_tidy_every_seconds),
            CaughtMail(options.var / "mail", options.smtp_port, say),
            worker,
            notice_sender(sessions, notices),
        ):
            serving = asyncio.create_task(server.serve())
            while not server.started and not serving.done():  # noqa: ASYNC110 (a plain flag)
                await asyncio.sleep(0.05)
            if serving.done():
                serving.result()  # raises what stopped uvicorn
            if options.demo:
                people = await load_demo(
                    env.client,
                    sessions,
                    config,
                    say,
                    city_size=options.employees,
                    policy_name=options.policy,
                    api_port=options.api_port,
                )
                app.state.web_config = app.state.web_config.model_copy(
                    update={"dev_people": people}
                )
            api = f"http://127.0.0.1:{options.api_port}"
            say(
                _(
                    "API %(api)s/docs, Temporal UI %(ui)s",
                    api=api,
                    ui=f"http://127.0.0.1:{options.ui_port}",
                )
            )
            say(
                _(
                    "mail: notices go to a local catcher on 127.0.0.1:%(port)s, kept in "
                    "%(folder)s and listed at %(api)s/dev/mail",
                    port=options.smtp_port,
                    folder=options.var / "mail",
                    api=api,
                )
            )
            say(
                _(
                    "ready: open the web app at %(api)s/ (sign in as any demo person); "
                    "Ctrl-C stops",
                    api=api,
                )
            )
            await stop.wait()
            say(_("stopping"))
            server.should_exit = True
            await serving
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)
        await engine.dispose()
        await env.shutdown()
    say(_("stopped; state kept in %(var)s", var=options.var))
