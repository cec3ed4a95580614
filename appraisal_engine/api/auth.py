"""Bearer tokens: verify them (HS256 secret or an OIDC issuer's JWKS) and mint development ones."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
from pydantic import BaseModel

from appraisal_engine.api.claims import Claims, lifetime_error
from appraisal_engine.api.config import AuthConfig
from appraisal_engine.api.roles import Role
from appraisal_engine.domain.catalogs import N_
from appraisal_engine.domain.errors import SettingError

# Only these are ever accepted: `none` and any algorithm of the other family are refused, so
# an RS256 public key can never be used as an HS256 secret.
HS_ALGORITHMS = ["HS256"]
OIDC_ALGORITHMS = ["RS256", "ES256"]


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
    """Checks signature, expiry, not-before, audience, issuer and lifetime, and the shape of
    every claim it reads; reads `sub` and `roles`."""

    def __init__(self, config: AuthConfig) -> None:
        if not config.uses_oidc:
            _check_secret(config.jwt_secret)
        _check_issuer_and_audience(config)
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
            payload = jwt.decode(
                token,
                key,
                algorithms=algorithms,
                audience=self._config.audience,
                issuer=issuer,
                leeway=self._config.leeway_seconds,
                options={"require": ["exp", "iat", "sub", "iss", "aud"]},
            )
            # PyJWT checks the claims' values; their shapes are checked here, and a TypeError
            # is how it refuses some (an `iss` that is not a string).
            claims = Claims.model_validate(payload)
        except (jwt.PyJWTError, ValueError, TypeError) as e:
            raise InvalidToken(str(e)) from None
        problem = lifetime_error(
            claims,
            now=time.time(),
            maximum=self._config.max_token_lifetime_seconds,
            leeway=self._config.leeway_seconds,
        )
        if problem:
            raise InvalidToken(problem)
        return principal_of(claims.sub, claims.roles)


_ROLES = {role.value: role for role in Role}


def principal_of(nip: str, role_names: Iterable[str]) -> Principal:
    """The caller a verified token names. Role names this service does not know are ignored:
    another system's roles may share the claim."""
    return Principal(nip=nip, roles=frozenset(_ROLES[r] for r in role_names if r in _ROLES))


MIN_SECRET_BYTES = 32


def _check_secret(secret: str) -> None:
    if not secret:
        raise SettingError(N_("set JWT_SECRET, or OIDC_JWKS_URL for single sign-on"))
    if len(secret.encode()) < MIN_SECRET_BYTES:
        # A short HMAC secret can be brute-forced from any one token.
        raise SettingError(N_("JWT_SECRET must be at least %(n)s bytes"), n=MIN_SECRET_BYTES)


def _check_issuer_and_audience(config: AuthConfig) -> None:
    # Without both, a token minted for another service with the same secret or single sign-on
    # would be accepted here.
    kind = "OIDC" if config.uses_oidc else "JWT"
    if not (config.oidc_issuer if config.uses_oidc else config.jwt_issuer):
        raise SettingError(N_("set %(kind)s_ISSUER: tokens must name who issued them"), kind=kind)
    if not config.audience:
        raise SettingError(
            N_("set %(kind)s_AUDIENCE: tokens must name this service as their audience"), kind=kind
        )


def mint_token(
    config: AuthConfig,
    nip: str,
    roles: list[Role] | None = None,
    *,
    ttl: timedelta = timedelta(hours=8),
    now: datetime | None = None,
) -> str:
    """A development token signed with the shared secret, for this issuer and audience."""
    _check_secret(config.jwt_secret)
    _check_issuer_and_audience(config)
    maximum = timedelta(seconds=config.max_token_lifetime_seconds)
    if ttl > maximum:
        raise ValueError(
            f"a token may be valid for at most {_hours(maximum)} (the verifier's limit)"
        )
    issued = now or datetime.now(UTC)
    claims: dict[str, Any] = {
        "sub": nip,
        "roles": [r.value for r in roles or []],
        "iss": config.jwt_issuer,
        "aud": config.audience,
        "iat": issued,
        "nbf": issued,
        "exp": issued + ttl,
    }
    return jwt.encode(claims, config.jwt_secret, algorithm="HS256")


def _hours(span: timedelta) -> str:
    hours = span.total_seconds() / 3600
    return f"{hours:g} hours" if hours != 1 else "1 hour"
