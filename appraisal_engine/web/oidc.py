"""Single sign-on with the organisation's identity provider, through Authlib's Starlette client:
the authorization code flow with PKCE (S256), its state and nonce kept in the session. Authlib
checks the ID token (signature against the provider's JWKS, issuer, audience, nonce, times);
its claims name the person as an API bearer token's would."""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urljoin

from authlib.integrations.starlette_client import OAuth
from fastapi import Request
from starlette.responses import Response

from appraisal_engine.api.auth import Principal, principal_of
from appraisal_engine.api.claims import identity_of
from appraisal_engine.web.config import OidcConfig

logger = logging.getLogger(__name__)

CLIENT_NAME = "sso"
CALLBACK_ROUTE = "sso_callback"
# Where to go once signed in: kept in the session between the redirect and the callback.
NEXT_KEY = "sso_next"
# Each step catches Exception: what a provider, the network or a token can throw is the
# provider's doing, not a bug here: Authlib's errors, joserfc's, the HTTP client's (httpx2),
# pydantic's for the claims. Sign-in fails closed on any of them, and none reaches the page or
# the log beyond its class name: messages may quote token contents.


class SignInFailed(Exception):
    """The provider's answer signs nobody in (a wrong state, an error from the provider, a token
    that does not verify, no NIP)."""


def make_client(config: OidcConfig) -> Any:
    """Authlib's client for the provider; its metadata and keys are fetched on first use."""
    return OAuth().register(
        name=CLIENT_NAME,
        client_id=config.client_id,
        client_secret=config.client_secret.get_secret_value(),
        server_metadata_url=config.discovery_url,
        client_kwargs={"scope": config.scopes, "code_challenge_method": "S256"},
    )


def _client(request: Request) -> Any:
    return request.app.state.oidc_client


async def start(request: Request, config: OidcConfig, next_path: str) -> Response:
    """Send the browser to the provider, with a fresh state, nonce and PKCE challenge."""
    redirect = config.redirect_url or str(request.url_for(CALLBACK_ROUTE))
    # Only the latest attempt counts: each keeps its state, nonce and verifier in the cookie,
    # and a few abandoned ones would push it past the 4 kB browsers keep.
    for key in [k for k in request.session if k.startswith(f"_state_{CLIENT_NAME}_")]:
        del request.session[key]
    request.session[NEXT_KEY] = next_path
    try:
        response: Response = await _client(request).authorize_redirect(request, redirect)
    except Exception as e:
        _log(e)
        raise SignInFailed from None
    return response


async def finish(request: Request, config: OidcConfig) -> Principal:
    """The person the provider's answer names; SignInFailed when anything does not check out."""
    claims_options = {
        "iss": {"essential": True, "value": config.issuer},
        # Authlib checks `aud` only when asked: a token for another client of the same
        # provider must not sign anyone in here.
        "aud": {"essential": True, "values": [config.client_id]},
    }
    try:
        token = await _client(request).authorize_access_token(
            request, claims_options=claims_options
        )
        claims = token.get("userinfo")
        if claims is None:  # no ID token in the answer
            raise ValueError("no id_token")
        identity = identity_of(claims, nip_claim=config.nip_claim, roles_claim=config.roles_claim)
    except Exception as e:
        _log(e)
        raise SignInFailed from None
    return principal_of(identity.nip, identity.roles)


async def end_session_url(request: Request, config: OidcConfig) -> str | None:
    """Where to sign out of the provider too, back to the sign-in page; None when its metadata
    names no end_session_endpoint or it cannot be reached."""
    client = _client(request)
    try:
        metadata = await client.load_server_metadata()
        if not metadata.get("end_session_endpoint"):
            return None
        # Behind a proxy the configured redirect URL knows this site's address; the request may not.
        back = urljoin(config.redirect_url, "/signin") if config.redirect_url else None
        result = await client.create_logout_url(
            post_logout_redirect_uri=back or str(request.url_for("signin_page")),
            client_id=config.client_id,
        )
    except Exception as e:
        _log(e)
        return None
    url: str = result["url"]
    return url


def _log(error: BaseException) -> None:
    logger.warning("single sign-on failed: %s", type(error).__name__)
