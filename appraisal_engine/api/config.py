"""What the API needs to know: the composition root builds it from the process settings."""

from __future__ import annotations

from pydantic import BaseModel, Field


class AuthConfig(BaseModel):
    """How bearer tokens are verified: a shared HS256 secret, or an OIDC issuer's JWKS.

    A verifier refuses to be made without an issuer and an audience for the chosen kind."""

    jwt_secret: str = ""
    jwt_issuer: str | None = None
    audience: str = ""
    oidc_issuer: str | None = None
    oidc_jwks_url: str | None = None
    # Clock skew tolerated on exp, nbf and iat: small, or an expired token lives on.
    leeway_seconds: int = Field(default=30, ge=0, le=120)
    # A stolen token is good until it expires: refuse any meant to live longer than a workday.
    max_token_lifetime_seconds: int = Field(default=12 * 3600, ge=60)

    @property
    def uses_oidc(self) -> bool:
        """True when tokens come from the city's single sign-on rather than a shared secret."""
        return bool(self.oidc_jwks_url)


class ApiConfig(BaseModel):
    """Where Temporal and the database are, how callers authenticate, and request limits."""

    database_url: str
    temporal_address: str = "127.0.0.1:7233"
    temporal_namespace: str = "default"
    task_queue: str = "appraisal"
    auth: AuthConfig = Field(default_factory=AuthConfig)
    max_body_bytes: int = Field(default=1_048_576, description="JSON bodies")
    max_upload_bytes: int = Field(default=20 * 1_048_576, description="roster uploads")
    codec_cors_origins: list[str] = Field(default_factory=list)
