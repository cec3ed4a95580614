"""Tokens: only a well-signed, current token for this audience gets in; OIDC via a JWKS."""

from __future__ import annotations

import json
import threading
import warnings
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.warnings import InsecureKeyLengthWarning

from appraisal_engine.api.auth import InvalidToken, TokenVerifier, mint_token
from appraisal_engine.api.claims import Claims, lifetime_error
from appraisal_engine.api.config import AuthConfig
from appraisal_engine.api.roles import Role
from tests.api.conftest import AUTH, ISSUER, SECRET, Api

NIP = "198001152006041001"
NO_KEY: Any = None  # alg "none" signs with nothing


def claims(**changes: Any) -> dict[str, Any]:
    now = datetime.now(UTC)
    base = {
        "sub": NIP,
        "iss": ISSUER,
        "aud": "appraisal",
        "iat": now,
        "exp": now + timedelta(hours=1),
    }
    return {k: v for k, v in {**base, **changes}.items() if v is not None}


RSA_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
PUBLIC_PEM = RSA_KEY.public_key().public_bytes(
    serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
)

NOW = datetime.now(UTC)


def hs512_with_our_secret() -> str:
    """A token signed with the configured secret under another algorithm than the configured one
    (the library warns that the test's secret is short for HS512: true, and beside the point)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", InsecureKeyLengthWarning)
        return jwt.encode(claims(), SECRET, "HS512")


BAD_TOKENS = {
    "expired": jwt.encode(claims(exp=datetime.now(UTC) - timedelta(hours=1)), SECRET, "HS256"),
    "expired beyond the leeway": jwt.encode(
        claims(exp=NOW - timedelta(seconds=45)), SECRET, "HS256"
    ),
    "no issuer": jwt.encode(claims(iss=None), SECRET, "HS256"),
    "wrong issuer": jwt.encode(claims(iss="https://elsewhere.example"), SECRET, "HS256"),
    "no issued-at": jwt.encode(claims(iat=None), SECRET, "HS256"),
    "lives longer than 12 hours": jwt.encode(
        claims(iat=NOW, exp=NOW + timedelta(hours=12, minutes=1)), SECRET, "HS256"
    ),
    "expires in 2100": jwt.encode(claims(exp=datetime(2100, 1, 1, tzinfo=UTC)), SECRET, "HS256"),
    "issued long ago, expires tomorrow": jwt.encode(
        claims(iat=NOW - timedelta(days=30), exp=NOW + timedelta(days=1)), SECRET, "HS256"
    ),
    "issued in the future": jwt.encode(
        claims(iat=datetime.now(UTC) + timedelta(hours=1)), SECRET, "HS256"
    ),
    "not yet valid": jwt.encode(
        claims(nbf=datetime.now(UTC) + timedelta(hours=1)), SECRET, "HS256"
    ),
    "wrong audience": jwt.encode(claims(aud="another-app"), SECRET, "HS256"),
    "no audience": jwt.encode(claims(aud=None), SECRET, "HS256"),
    "no expiry": jwt.encode(claims(exp=None), SECRET, "HS256"),
    "alg none": jwt.encode(claims(), NO_KEY, "none"),
    "wrong secret": jwt.encode(claims(), "another-secret-of-at-least-32-bytes", "HS256"),
    "HS512": hs512_with_our_secret(),
    "RS256 where HS256 is configured": jwt.encode(claims(), RSA_KEY, "RS256"),
    "sub not an NIP": jwt.encode(claims(sub="admin"), SECRET, "HS256"),
    "tampered": mint_token(AUTH, NIP)[:-6] + "AAAAAA",
    "garbage": "not.a.token",
}


@pytest.mark.parametrize("name", sorted(BAD_TOKENS))
async def test_bad_tokens_get_401(api: Api, name: str) -> None:
    r = await api.http.get("/v1/tasks", headers={"Authorization": f"Bearer {BAD_TOKENS[name]}"})
    assert r.status_code == 401, r.text
    assert r.headers["content-type"] == "application/problem+json"
    assert r.headers["www-authenticate"] == "Bearer"


async def test_a_good_token_gets_in_and_roles_come_from_the_claim(api: Api) -> None:
    good = jwt.encode(claims(roles=["hr", "superuser"]), SECRET, "HS256")
    r = await api.http.get("/v1/cycles", headers={"Authorization": f"Bearer {good}"})
    assert r.status_code == 200, r.text
    principal = await TokenVerifier(AUTH).verify(good)
    assert principal.roles == frozenset({Role.HR})  # unknown roles are ignored


async def test_the_lifetime_and_the_leeway_are_the_configured_ones() -> None:
    verifier = TokenVerifier(AUTH)
    twelve_hours = jwt.encode(claims(iat=NOW, exp=NOW + timedelta(hours=12)), SECRET, "HS256")
    assert (await verifier.verify(twelve_hours)).nip == NIP
    just_expired = jwt.encode(claims(exp=datetime.now(UTC) - timedelta(seconds=10)), SECRET)
    assert (await verifier.verify(just_expired)).nip == NIP  # within the 30 s leeway
    one_hour = AUTH.model_copy(update={"max_token_lifetime_seconds": 3600})
    two_hours = jwt.encode(claims(iat=NOW, exp=NOW + timedelta(hours=2)), SECRET, "HS256")
    with pytest.raises(InvalidToken, match="lifetime"):
        await TokenVerifier(one_hour).verify(two_hours)


def test_a_token_expiring_beyond_the_maximum_from_now_is_refused() -> None:
    # PyJWT already refuses an iat in the future, which this needs: checked on its own here.
    now = NOW.timestamp()
    ahead = Claims(sub=NIP, iss=ISSUER, aud="appraisal", iat=now + 3600, exp=now + 13 * 3600)
    assert lifetime_error(ahead, now=now, maximum=12 * 3600, leeway=30) == (
        "expires more than 43200 s from now"
    )
    assert lifetime_error(ahead, now=now + 3600, maximum=12 * 3600, leeway=30) is None


def test_minted_tokens_stay_within_the_maximum_lifetime() -> None:
    decoded = jwt.decode(mint_token(AUTH, NIP), options={"verify_signature": False})
    assert decoded["iss"] == ISSUER and decoded["aud"] == "appraisal"
    assert 0 < decoded["exp"] - decoded["iat"] <= 12 * 3600
    with pytest.raises(ValueError, match="12 hours"):
        mint_token(AUTH, NIP, ttl=timedelta(hours=13))


class _Jwks(BaseHTTPRequestHandler):
    body = b""

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def jwks_url() -> Iterator[str]:
    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(RSA_KEY.public_key()))
    _Jwks.body = json.dumps({"keys": [{**jwk, "kid": "k1", "use": "sig", "alg": "RS256"}]}).encode()
    server = HTTPServer(("127.0.0.1", 0), _Jwks)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/jwks.json"
    server.shutdown()


async def test_oidc_tokens_are_checked_against_the_issuers_keys(jwks_url: str) -> None:
    config = AuthConfig(
        oidc_issuer="https://sso.example.go.id", oidc_jwks_url=jwks_url, audience="appraisal"
    )
    verifier = TokenVerifier(config)
    issued = claims(iss="https://sso.example.go.id", roles=["auditor"])
    good = jwt.encode(issued, RSA_KEY, "RS256", headers={"kid": "k1"})
    assert (await verifier.verify(good)).roles == frozenset({Role.AUDITOR})
    other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    refused = {
        "signed by another key": jwt.encode(issued, other_key, "RS256", headers={"kid": "k1"}),
        "wrong issuer": jwt.encode(
            claims(iss="https://evil.example"), RSA_KEY, "RS256", headers={"kid": "k1"}
        ),
        "unknown kid": jwt.encode(issued, RSA_KEY, "RS256", headers={"kid": "k9"}),
        # The public key used as an HMAC secret: the classic algorithm confusion.
        "HS256 with the public key": _hs256_with(PUBLIC_PEM, issued),
        "alg none": jwt.encode(issued, NO_KEY, "none", headers={"kid": "k1"}),
    }
    for name, bad in refused.items():
        with pytest.raises(InvalidToken):
            await verifier.verify(bad)
            pytest.fail(f"accepted: {name}")


def _hs256_with(key: bytes, payload: dict[str, Any]) -> str:
    import base64
    import hashlib
    import hmac

    def b64(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

    header = b64(json.dumps({"alg": "HS256", "typ": "JWT", "kid": "k1"}).encode())
    body = b64(
        json.dumps(
            {k: int(v.timestamp()) if isinstance(v, datetime) else v for k, v in payload.items()}
        ).encode()
    )
    signature = hmac.new(key, f"{header}.{body}".encode(), hashlib.sha256).digest()
    return f"{header}.{body}.{b64(signature)}"


def test_a_verifier_needs_a_secret_or_an_issuer() -> None:
    with pytest.raises(ValueError, match="JWT_SECRET"):
        TokenVerifier(AuthConfig(jwt_issuer=ISSUER))


def test_a_short_secret_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 32 bytes"):
        TokenVerifier(AuthConfig(jwt_secret="short", jwt_issuer=ISSUER))


JWKS = "http://127.0.0.1:1/jwks.json"  # never fetched: the verifier refuses to be made


@pytest.mark.parametrize(
    ("config", "missing"),
    [
        (AuthConfig(jwt_secret=SECRET, audience="appraisal"), "JWT_ISSUER"),
        (AuthConfig(jwt_secret=SECRET, jwt_issuer=ISSUER, audience=""), "JWT_AUDIENCE"),
        (AuthConfig(oidc_jwks_url=JWKS, audience="appraisal"), "OIDC_ISSUER"),
        (AuthConfig(oidc_issuer=ISSUER, oidc_jwks_url=JWKS, audience=""), "OIDC_AUDIENCE"),
    ],
)
def test_a_verifier_needs_an_issuer_and_an_audience(config: AuthConfig, missing: str) -> None:
    with pytest.raises(ValueError, match=missing):
        TokenVerifier(config)
