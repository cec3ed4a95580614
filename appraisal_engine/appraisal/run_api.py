"""The API process: the API and the web app, wired to the configured Temporal (with payload
encryption)."""

from __future__ import annotations

from fastapi import FastAPI

from appraisal_engine.api.app import create_app
from appraisal_engine.appraisal.settings import Settings
from appraisal_engine.client.connect import converter
from appraisal_engine.web.app import install


def build_app(settings: Settings) -> FastAPI:
    """The app for these settings; its lifespan connects with the same converter as workers."""
    app = create_app(settings.api_config(), data_converter=converter(settings))
    return install(app, settings.web_config())
