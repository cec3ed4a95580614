"""Token settings: production must name an issuer and an audience; development mints tokens the
development stack accepts, within the maximum lifetime."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jwt
import pytest

from appraisal_engine.api.auth import TokenVerifier
from appraisal_engine.appraisal.cli import app
from appraisal_engine.appraisal.settings import Settings, get_settings
from tests.cli import EnglishRunner

SECRET = "settings-secret-of-at-least-32-bytes"
NIP = "198001152006041001"
runner = EnglishRunner()
OIDC_WEB = (
    "OIDC_DISCOVERY_URL",
    "OIDC_CLIENT_ID",
    "OIDC_CLIENT_SECRET",
    "OIDC_SCOPES",
    "OIDC_REDIRECT_URL",
    "OIDC_NIP_CLAIM",
    "OIDC_ROLES_CLAIM",
)
SSO = {
    "OIDC_ISSUER": "https://sso.example.go.id/realms/city",
    "OIDC_CLIENT_ID": "appraisal-web",
    "OIDC_CLIENT_SECRET": "the-client-secret",
}


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    """No .env file and no token settings from the caller's environment."""
    monkeypatch.chdir(tmp_path)
    for name in ("JWT_SECRET", "JWT_ISSUER", "JWT_AUDIENCE", "OIDC_ISSUER", "OIDC_AUDIENCE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("OIDC_JWKS_URL", raising=False)
    for name in OIDC_WEB:
        monkeypatch.delenv(name, raising=False)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.mark.parametrize(
    ("env", "missing"),
    [
        ({"JWT_SECRET": SECRET}, "JWT_ISSUER"),
        ({"JWT_SECRET": SECRET, "JWT_ISSUER": "https://appraisal.example"}, "JWT_AUDIENCE"),
        ({"OIDC_JWKS_URL": "http://127.0.0.1:1/jwks", "OIDC_AUDIENCE": "a"}, "OIDC_ISSUER"),
        (
            {"OIDC_JWKS_URL": "http://127.0.0.1:1/jwks", "OIDC_ISSUER": "https://sso"},
            "OIDC_AUDIENCE",
        ),
    ],
)
def test_production_settings_without_issuer_or_audience_do_not_start(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str], missing: str
) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ValueError, match=missing):
        TokenVerifier(Settings(_env_file=None).api_config().auth)
    served: list[Any] = []
    monkeypatch.setattr("uvicorn.run", lambda *a, **k: served.append(a))
    result = runner.invoke(app, ["api"])
    assert result.exit_code == 2 and missing in result.output, result.output
    assert not served, "the API started without a complete token configuration"


def test_production_settings_with_issuer_and_audience_start() -> None:
    settings = Settings(
        _env_file=None,
        jwt_secret=SECRET,
        jwt_issuer="https://appraisal.example",
        jwt_audience="appraisal",
        jwt_max_lifetime_seconds=3600,
    )
    auth = settings.api_config().auth
    TokenVerifier(auth)
    assert (auth.jwt_issuer, auth.audience, auth.max_token_lifetime_seconds) == (
        "https://appraisal.example",
        "appraisal",
        3600,
    )
    assert auth.leeway_seconds == 30


def test_development_settings_mint_tokens_the_development_stack_accepts() -> None:
    auth = Settings(_env_file=None, jwt_secret=SECRET).api_config(development=True).auth
    result = runner.invoke(app, ["token", NIP, "--role", "hr"], env={"JWT_SECRET": SECRET})
    assert result.exit_code == 0, result.output
    token = result.output.strip()
    claims = jwt.decode(token, options={"verify_signature": False})
    assert claims["iss"] and claims["aud"] and claims["exp"] - claims["iat"] <= 12 * 3600
    principal = asyncio.run(TokenVerifier(auth).verify(token))
    assert principal.nip == NIP and principal.is_hr


def test_a_token_longer_than_the_maximum_is_not_minted() -> None:
    result = runner.invoke(app, ["token", NIP, "--hours", "13"], env={"JWT_SECRET": SECRET})
    assert result.exit_code == 2 and "12 hours" in result.output, result.output


def test_the_api_does_not_start_without_a_session_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in {
        "JWT_SECRET": SECRET,
        "JWT_ISSUER": "https://appraisal.example",
        "JWT_AUDIENCE": "appraisal",
        "SESSION_SECRET": "too-short",
    }.items():
        monkeypatch.setenv(name, value)
    served: list[Any] = []
    monkeypatch.setattr("uvicorn.run", lambda *a, **k: served.append(a))
    result = runner.invoke(app, ["api"])
    assert result.exit_code == 2 and "SESSION_SECRET" in result.output, result.output
    assert not served, "the API started without a session secret for the web app"


def test_single_sign_on_is_off_unless_its_client_is_configured() -> None:
    settings = Settings(_env_file=None, oidc_issuer=SSO["OIDC_ISSUER"], session_secret="s" * 32)
    assert settings.oidc_config() is None and settings.web_config().oidc is None


def test_single_sign_on_settings_become_the_web_config(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in {**SSO, "OIDC_NIP_CLAIM": "nip", "OIDC_ROLES_CLAIM": "groups"}.items():
        monkeypatch.setenv(name, value)
    oidc = Settings(_env_file=None, session_secret="s" * 32).web_config().oidc
    assert oidc is not None
    assert oidc.discovery_url == f"{SSO['OIDC_ISSUER']}/.well-known/openid-configuration"
    assert (oidc.client_id, oidc.nip_claim, oidc.roles_claim) == ("appraisal-web", "nip", "groups")
    assert oidc.client_secret.get_secret_value() == "the-client-secret"
    assert "the-client-secret" not in repr(oidc)  # never in a log line or a traceback


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({**SSO, "OIDC_CLIENT_SECRET": ""}, "OIDC_CLIENT_SECRET"),
        ({**SSO, "OIDC_ISSUER": ""}, "OIDC_ISSUER"),
        ({"OIDC_CLIENT_SECRET": "s"}, "OIDC_ISSUER, OIDC_CLIENT_ID"),
        ({**SSO, "OIDC_DISCOVERY_URL": "http://sso.example.go.id/.well-known/x"}, "https"),
        ({**SSO, "OIDC_REDIRECT_URL": "http://appraisal.example.go.id/cb"}, "OIDC_REDIRECT_URL"),
        ({**SSO, "OIDC_SCOPES": "profile email"}, "openid"),
        ({**SSO, "OIDC_NIP_CLAIM": " "}, "OIDC_NIP_CLAIM"),
    ],
)
def test_half_configured_single_sign_on_does_not_start(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str], message: str
) -> None:
    for name, value in {
        "JWT_SECRET": SECRET,
        "JWT_ISSUER": "https://appraisal.example",
        "JWT_AUDIENCE": "appraisal",
        "SESSION_SECRET": "s" * 32,
        **env,
    }.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ValueError, match=message):
        Settings(_env_file=None).oidc_config()
    served: list[Any] = []
    monkeypatch.setattr("uvicorn.run", lambda *a, **k: served.append(a))
    result = runner.invoke(app, ["api"])
    assert result.exit_code == 2 and message in result.output, result.output
    assert "the-client-secret" not in result.output
    assert not served, "the API started with single sign-on half configured"
