"""A real identity provider for the single sign-on tests, small enough to read: discovery, a
JWKS from a fresh RSA key, an authorize endpoint that records the PKCE challenge and answers
with a code, and a token endpoint that refuses a verifier not matching the S256 challenge and
signs an RS256 ID token with the nonce it was given. Served by uvicorn on a free port."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import secrets
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import uvicorn
from fastapi import FastAPI, Form, Header, Request
from fastapi.responses import JSONResponse, RedirectResponse
from joserfc import jwt
from joserfc.jwk import RSAKey

from tests.ports import free_port

CLIENT_ID = "appraisal-web"
CLIENT_SECRET = "client-secret-for-the-fake-provider"
KID = "test-key-1"


@dataclass
class Grant:
    """What the authorize endpoint was asked, kept for the token endpoint and the tests."""

    client_id: str
    redirect_uri: str
    nonce: str | None
    code_challenge: str | None
    code_challenge_method: str | None


@dataclass
class FakeIdp:
    """The provider's state: its key, the claims its next ID token carries, what it saw."""

    issuer: str = ""
    key: RSAKey = field(default_factory=lambda: RSAKey.generate_key(2048))
    # The person's claims (beyond iss, aud, iat, exp, nonce); a None value leaves it out.
    claims: dict[str, Any] = field(default_factory=dict)
    # Changes to the next ID token's claims, e.g. another audience or nonce.
    tamper: dict[str, Any] = field(default_factory=dict)
    # Sign the next ID token with another key that claims to be ours.
    forge: bool = False
    # Answer the authorize request with this error instead of a code.
    deny: str | None = None
    grants: dict[str, Grant] = field(default_factory=dict)
    verifiers: list[str] = field(default_factory=list)
    authorize_queries: list[dict[str, str]] = field(default_factory=list)

    def id_token(self, grant: Grant) -> str:
        """An RS256 ID token for the grant, signed with our key (or a forger's)."""
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "aud": grant.client_id,
            "iat": now,
            "exp": now + 300,
            "nonce": grant.nonce,
            **self.claims,
            **self.tamper,
        }
        claims = {k: v for k, v in claims.items() if v is not None}
        key = RSAKey.generate_key(2048) if self.forge else self.key
        return jwt.encode({"alg": "RS256", "kid": KID}, claims, key)


def s256(verifier: str) -> str:
    """The PKCE S256 challenge of a verifier (RFC 7636)."""
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def provider_app(idp: FakeIdp) -> FastAPI:
    """The provider's endpoints."""
    app = FastAPI()

    @app.get("/.well-known/openid-configuration")
    async def discovery() -> dict[str, Any]:
        return {
            "issuer": idp.issuer,
            "authorization_endpoint": f"{idp.issuer}/authorize",
            "token_endpoint": f"{idp.issuer}/token",
            "jwks_uri": f"{idp.issuer}/jwks",
            "end_session_endpoint": f"{idp.issuer}/logout",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "code_challenge_methods_supported": ["S256"],
        }

    @app.get("/jwks")
    async def jwks() -> dict[str, Any]:
        public = idp.key.as_dict(private=False)
        return {"keys": [{**public, "kid": KID, "use": "sig", "alg": "RS256"}]}

    @app.get("/authorize")
    async def authorize(request: Request) -> RedirectResponse:
        q = dict(request.query_params)
        idp.authorize_queries.append(q)
        back = q["redirect_uri"]
        if idp.deny:
            return RedirectResponse(f"{back}?{urlencode({'error': idp.deny, 'state': q['state']})}")
        code = secrets.token_urlsafe(16)
        idp.grants[code] = Grant(
            client_id=q["client_id"],
            redirect_uri=back,
            nonce=q.get("nonce"),
            code_challenge=q.get("code_challenge"),
            code_challenge_method=q.get("code_challenge_method"),
        )
        return RedirectResponse(f"{back}?{urlencode({'code': code, 'state': q['state']})}")

    @app.post("/token")
    async def token(
        grant_type: str = Form(),
        code: str = Form(),
        redirect_uri: str = Form(),
        code_verifier: str | None = Form(default=None),
        authorization: str | None = Header(default=None),
    ) -> JSONResponse:
        expected = base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
        if authorization != f"Basic {expected}":
            return JSONResponse({"error": "invalid_client"}, status_code=401)
        grant = idp.grants.pop(code, None)  # a code is good once
        if grant_type != "authorization_code" or grant is None:
            return JSONResponse({"error": "invalid_grant"}, status_code=400)
        if redirect_uri != grant.redirect_uri:
            return JSONResponse({"error": "invalid_grant"}, status_code=400)
        if code_verifier:
            idp.verifiers.append(code_verifier)
        if (
            grant.code_challenge_method != "S256"
            or not grant.code_challenge
            or not code_verifier
            or s256(code_verifier) != grant.code_challenge
        ):
            return JSONResponse(
                {"error": "invalid_grant", "error_description": "PKCE"}, status_code=400
            )
        return JSONResponse(
            {
                "access_token": secrets.token_urlsafe(16),
                "token_type": "Bearer",
                "expires_in": 300,
                "id_token": idp.id_token(grant),
            }
        )

    return app


class _Server(uvicorn.Server):
    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


@contextlib.asynccontextmanager
async def serving(idp: FakeIdp) -> AsyncIterator[FakeIdp]:
    """The provider served on a free port of this machine, its issuer set to match."""
    port = free_port()
    idp.issuer = f"http://127.0.0.1:{port}"
    server = _Server(
        uvicorn.Config(provider_app(idp), host="127.0.0.1", port=port, log_level="warning")
    )
    task = asyncio.create_task(server.serve())
    while not server.started and not task.done():  # noqa: ASYNC110 (a plain flag)
        await asyncio.sleep(0.02)
    if task.done():
        task.result()
    try:
        yield idp
    finally:
        server.should_exit = True
        await task
