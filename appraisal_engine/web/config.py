"""What the web app needs to know: the composition root builds it from the process settings."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, SecretStr

from appraisal_engine.api.roles import Role

Locale = Literal["id", "en"]
LOCALES: tuple[Locale, ...] = ("id", "en")


class DevPerson(BaseModel):
    """Someone the development sign-in page offers, with the roles they sign in with."""

    nip: str
    label: str
    roles: list[Role] = Field(default_factory=list)


class OidcConfig(BaseModel):
    """Single sign-on with the organisation's identity provider (OpenID Connect, authorization
    code with PKCE): who it is, who we are to it, and which ID-token claims name the person."""

    issuer: str = Field(min_length=1, description="the `iss` every ID token must name")
    # Where the provider's metadata is; `{issuer}/.well-known/openid-configuration` by default.
    discovery_url: str = Field(min_length=1)
    client_id: str = Field(min_length=1)
    # A SecretStr: never in a repr, a log line or an error message.
    client_secret: SecretStr
    scopes: str = "openid profile"
    # Where the provider sends the browser back; derived from the request when empty (set it
    # behind a proxy that rewrites the host or the scheme).
    redirect_url: str = ""
    # The claims holding the NIP and the role names (as the API reads bearer tokens by default).
    nip_claim: str = Field(default="sub", min_length=1)
    roles_claim: str = Field(default="roles", min_length=1)


class WebConfig(BaseModel):
    """Session cookie, sign-in and presentation settings."""

    session_secret: str = Field(min_length=32, description="signs the session cookie")
    # Outside development the cookie only travels over HTTPS.
    secure_cookies: bool = True
    session_max_age_seconds: int = Field(default=10 * 3600, ge=300)
    # The development sign-in page: pick a person, no password. Never in production.
    dev_signin: bool = False
    dev_people: list[DevPerson] = Field(default_factory=list)
    # Where `appraisal dev`'s mail catcher keeps what it caught, shown at /dev/mail; None: no
    # such page (it exists only with the development sign-in).
    dev_mail: Path | None = None
    # Single sign-on; None: off.
    oidc: OidcConfig | None = None
    default_locale: Locale = "id"
    # The organisation's own time zone: Asia/Jakarta (WIB), Asia/Makassar (WITA) or
    # Asia/Jayapura (WIT).
    time_zone: str = "Asia/Jakarta"
