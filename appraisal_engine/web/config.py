"""What the web app needs to know: the composition root builds it from the process settings."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from appraisal_engine.api.auth import Role

Locale = Literal["id", "en"]
LOCALES: tuple[Locale, ...] = ("id", "en")


class DevPerson(BaseModel):
    """Someone the development sign-in page offers, with the roles they sign in with."""

    nip: str
    label: str
    roles: list[Role] = Field(default_factory=list)


class WebConfig(BaseModel):
    """Session cookie, sign-in and presentation settings."""

    session_secret: str = Field(min_length=32, description="signs the session cookie")
    # Outside development the cookie only travels over HTTPS.
    secure_cookies: bool = True
    session_max_age_seconds: int = Field(default=10 * 3600, ge=300)
    # The development sign-in page: pick a person, no password. Never in production.
    dev_signin: bool = False
    dev_people: list[DevPerson] = Field(default_factory=list)
    default_locale: Locale = "id"
    # The organisation's own time zone: Asia/Jakarta (WIB), Asia/Makassar (WITA) or
    # Asia/Jayapura (WIT).
    time_zone: str = "Asia/Jakarta"
