"""Bearer tokens: verify them (HS256 secret or an OIDC issuer's JWKS) and mint development ones."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

import jwt
from pydantic import BaseModel

from api.config import AuthConfig
from domain.errors import DomainError
from domain.nip import parse_nip

# Only these are ever accepted: `none` and any algorithm of the other family are refused, so
# an RS256 public key can never be used as an HS256 secret.
HS_ALGORITHMS = ["HS256"]
OIDC_ALGORITHMS = ["RS256", "ES256"]


class Role(StrEnum):
    """Roles a token may carry; employee, supervisor, peer and mentor come from assignment."""

    HR = "hr"
    AUDITOR = "auditor"


class Principal(BaseModel):
    """The authenticated caller."""

    nip: str
    roles: frozenset[Role] = frozenset()

    @property
    def is_hr(self) -> bool:
        """HR may launch cycles, calibrate and act on any appraisal."""
        return Role.HR in self.roles

    @property
    def is_auditor(self) -> bool:
        """Auditors read everything and write nothing."""
        return Role.AUDITOR in self.roles

    @property
    def reads_all(self) -> bool:
        """HR and auditors read every appraisal, task and roster."""
        return self.is_hr or self.is_auditor


class InvalidToken(Exception):
    """The token is missing, malformed, expired, not yet valid, or not ours."""


class TokenVerifier:
    """Checks signature, expiry, not-before, audience and issuer; reads `sub` and `roles`."""

    def __init__(self, config: AuthConfig) -> None:
        if not config.uses_oidc:
            _check_secret(config.jwt_secret)
        self._config = config
        self._jwks = jwt.PyJWKClient(config.oidc_jwks_url) if config.oidc_jwks_url else None

    async def verify(self, token: str) -> Principal:
        """The principal a valid token names; InvalidToken otherwise."""
        try:
            if self._jwks is not None:
                # The JWKS client fetches over blocking HTTP (and caches): keep it off the loop.
                signing_key = await asyncio.to_thread(self._jwks.get_signing_key_from_jwt, token)
                key: Any = signing_key.key
                algorithms = OIDC_ALGORITHMS
                issuer = self._config.oidc_issuer
            else:
                key, algorithms = self._config.jwt_secret, HS_ALGORITHMS
                issuer = self._config.jwt_issuer
            claims = jwt.decode(
                token,
                key,
                algorithms=algorithms,
                audience=self._config.audience,
                issuer=issuer,
                leeway=self._config.leeway_seconds,
                options={"require": ["exp", "iat", "sub", "aud"]},
            )
        except (jwt.PyJWTError, ValueError) as e:
            raise InvalidToken(str(e)) from None
        return _principal(claims)


def _principal(claims: dict[str, Any]) -> Principal:
    nip = str(claims["sub"])
    try:
        parse_nip(nip)
    except DomainError:
        raise InvalidToken("sub is not a valid NIP") from None
    raw = claims.get("roles", [])
    if not isinstance(raw, list):
        raise InvalidToken("roles must be a list")
    return Principal(nip=nip, roles=frozenset(Role(r) for r in raw if r in set(Role)))


MIN_SECRET_BYTES = 32


def _check_secret(secret: str) -> None:
    if not secret:
        raise ValueError("set JWT_SECRET, or OIDC_JWKS_URL for single sign-on")
    if len(secret.encode()) < MIN_SECRET_BYTES:
        # A short HMAC secret can be brute-forced from any one token.
        raise ValueError(f"JWT_SECRET must be at least {MIN_SECRET_BYTES} bytes")


def mint_token(
    config: AuthConfig,
    nip: str,
    roles: list[Role] | None = None,
    *,
    ttl: timedelta = timedelta(hours=8),
    now: datetime | None = None,
) -> str:
    """A development token signed with the shared secret."""
    _check_secret(config.jwt_secret)
    issued = now or datetime.now(UTC)
    claims: dict[str, Any] = {
        "sub": nip,
        "roles": [r.value for r in roles or []],
        "aud": config.audience,
        "iat": issued,
        "nbf": issued,
        "exp": issued + ttl,
    }
    if config.jwt_issuer:
        claims["iss"] = config.jwt_issuer
    return jwt.encode(claims, config.jwt_secret, algorithm="HS256")
