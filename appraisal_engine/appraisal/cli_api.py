"""Commands for the HTTP side: serve the API, mint a development token."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Annotated

import typer

from appraisal_engine.api.roles import Role
from appraisal_engine.appraisal.cli_errors import refuse_setting
from appraisal_engine.appraisal.i18n import _, said_error
from appraisal_engine.appraisal.settings import get_settings

MIN_SESSION_SECRET = 32


def api(
    host: Annotated[str, typer.Option(help="Interface to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on")] = 8000,
) -> None:
    """Serve the v1 API and the web app (JWT_SECRET or OIDC_JWKS_URL, and SESSION_SECRET, must
    be set)."""
    import uvicorn

    from appraisal_engine.api.auth import TokenVerifier
    from appraisal_engine.appraisal.run_api import build_app

    settings = get_settings()
    try:  # refuse to start rather than answer every request with 401
        TokenVerifier(settings.api_config().auth)
    except ValueError as e:
        refuse_setting(e)
    if len(settings.session_secret) < MIN_SESSION_SECRET:  # the web app's cookie is signed with it
        said = _("SESSION_SECRET must be set, %(n)s characters or more", n=MIN_SESSION_SECRET)
        typer.echo(said, err=True)
        raise typer.Exit(2)
    try:  # single sign-on half set up would fail at the first person's sign-in
        settings.oidc_config()
    except ValueError as e:
        refuse_setting(e)
    uvicorn.run(build_app(settings), host=host, port=port, log_level="info")


def token(
    nip: Annotated[str, typer.Argument(help="The caller's NIP (18 digits)")],
    role: Annotated[list[Role] | None, typer.Option(help="hr and/or auditor")] = None,
    hours: Annotated[
        int, typer.Option(min=1, help="Valid for; at most JWT_MAX_LIFETIME_SECONDS (12 hours)")
    ] = 8,
) -> None:
    """Mint a development token signed with JWT_SECRET, for JWT_ISSUER and JWT_AUDIENCE (those
    of `appraisal dev` when unset)."""
    from appraisal_engine.api.auth import mint_token
    from appraisal_engine.domain.errors import DomainError
    from appraisal_engine.domain.nip import parse_nip

    try:
        parse_nip(nip)
    except DomainError as e:
        raise typer.BadParameter(said_error(e), param_hint="NIP") from None
    config = get_settings().api_config(development=True).auth
    try:
        typer.echo(mint_token(config, nip, role or [], ttl=timedelta(hours=hours)))
    except ValueError as e:
        refuse_setting(e)


def dev(
    demo: Annotated[bool, typer.Option(help="Load a fictional city and launch its cycle")] = False,
    policy: Annotated[str, typer.Option(help="The demo cycle's policy preset")] = "national",
    employees: Annotated[int, typer.Option(min=8, max=2000, help="Demo city size")] = 48,
    var: Annotated[Path, typer.Option(help="Where state is kept across restarts")] = Path("var"),
    api_port: Annotated[int, typer.Option(help="The API")] = 8000,
    temporal_port: Annotated[int, typer.Option(help="The Temporal dev server")] = 7233,
    ui_port: Annotated[int, typer.Option(help="The Temporal Web UI")] = 8233,
    smtp_port: Annotated[int, typer.Option(help="The mail catcher notices go to")] = 1025,
) -> None:
    """Run everything locally: Temporal dev server (state in var/), migrations, worker and API."""
    import asyncio

    from appraisal_engine.appraisal.dev import DevOptions, PortBusy, run_dev
    from appraisal_engine.appraisal.servers import MissingBinary
    from appraisal_engine.domain.errors import DomainError
    from appraisal_engine.domain.presets import preset

    try:
        preset(policy)
    except DomainError as e:
        raise typer.BadParameter(said_error(e), param_hint="--policy") from None
    try:
        get_settings().oidc_config()
    except ValueError as e:
        refuse_setting(e)
    options = DevOptions(
        var=var,
        api_port=api_port,
        temporal_port=temporal_port,
        ui_port=ui_port,
        smtp_port=smtp_port,
        demo=demo,
        policy=policy,
        employees=employees,
    )
    try:
        asyncio.run(run_dev(get_settings(), options, lambda line: typer.echo(line)))
    except (PortBusy, MissingBinary) as e:
        typer.echo(str(e), err=True)
        raise typer.Exit(1) from None
