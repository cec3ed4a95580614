"""The web app on the API's application: its pages, its static files (htmx served from here,
never a CDN) and the signed session cookie."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.middleware.sessions import SessionMiddleware

from appraisal_engine.api.limits import share_upload_limit
from appraisal_engine.web import oidc
from appraisal_engine.web.config import WebConfig
from appraisal_engine.web.pages import (
    appraisals,
    audit,
    cycles,
    dev_mail,
    find,
    follow_up,
    hr_actions,
    matrix,
    notice_settings,
    notices,
    rosters,
    signin,
    sso,
    tasks,
    team,
    unit_ratings,
)
from appraisal_engine.web.render import STATIC_PREFIX

STATIC = Path(__file__).parent / "static"
SESSION_COOKIE = "appraisal_session"


def install(app: FastAPI, config: WebConfig) -> FastAPI:
    """Add the pages to `app` (before it starts)."""
    app.state.web_config = config
    app.state.oidc_client = oidc.make_client(config.oidc) if config.oidc else None
    pages = (
        signin,
        sso,
        tasks,
        appraisals,
        team,
        matrix,
        notices,
        notice_settings,
        hr_actions,
        find,
        audit,
        rosters,
        cycles,
        follow_up,
        unit_ratings,
    )
    for module in (*pages, dev_mail):
        app.include_router(module.router)
    share_upload_limit(app, rosters.PATH)  # the same roster files as the API takes
    app.mount(STATIC_PREFIX, StaticFiles(directory=STATIC), name="web-static")
    # HttpOnly always; SameSite=Lax; Secure outside development.
    app.add_middleware(
        SessionMiddleware,
        secret_key=config.session_secret,
        session_cookie=SESSION_COOKIE,
        max_age=config.session_max_age_seconds,
        same_site="lax",
        https_only=config.secure_cookies,
    )
    return app
