"""The API process: the app wired to the configured Temporal (with payload encryption)."""

from __future__ import annotations

from fastapi import FastAPI

from api.app import create_app
from appraisal.settings import Settings
from workflows.codec import data_converter, parse_keys


def build_app(settings: Settings) -> FastAPI:
    """The app for these settings; its lifespan connects with the same converter as workers."""
    return create_app(
        settings.api_config(), data_converter=data_converter(parse_keys(settings.payload_keys))
    )
