"""Settings from the environment and a .env file, behind one cached getter."""

from __future__ import annotations

from functools import lru_cache

from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Where Temporal and the database are, and how the worker runs."""

    model_config = SettingsConfigDict(env_file=".env", env_prefix="", extra="ignore")

    temporal_address: str = "127.0.0.1:7233"
    temporal_namespace: str = "default"
    task_queue: str = "appraisal"
    database_url: str = "sqlite+aiosqlite:///var/appraisal.db"
    # `kid:base64-32-byte-key`, comma-separated; the first encrypts, all decrypt. Empty: off.
    payload_keys: str = ""


@lru_cache
def get_settings() -> Settings:
    """The process's settings, read once."""
    return Settings()
