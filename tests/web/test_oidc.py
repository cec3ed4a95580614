"""Single sign-on against a real (fake) identity provider over HTTP: the whole flow signs the
person its ID token names in, with PKCE really used; a wrong state, a token for another client,
another nonce, a forged signature, no NIP or the provider's refusal sign nobody in and show
nothing of the token; `next` stays on this site; sign-out links to the provider's."""

from __future__ import annotations

import base64
import json
import logging
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from dataclasses import dataclass

import httpx
import pytest
from fastapi import FastAPI
from pydantic import SecretStr
from temporalio.testing import WorkflowEnvironment

from appraisal_engine.api.app import create_app
from appraisal_engine.api.config import ApiConfig
from appraisal_engine.simulator.scripted import EMPLOYEE, HR
from appraisal_engine.web.app import install
from appraisal_engine.web.config import OidcConfig
from tests.api.conftest import AUTH
from tests.ports import free_port
from tests.web.conftest import WEB, form_token
from tests.web.fake_idp import CLIENT_ID, CLIENT_SECRET, FakeIdp, s256, serving

NIP_CLAIM, ROLES_CLAIM = "nip", "groups"


@dataclass
class Sso:
    """The app under test with single sign-on at the fake provider, and the provider."""

    app: FastAPI
    idp: FakeIdp

    def browser(self) -> httpx.AsyncClient:
        """A client with its own cookies, talking to the app in process."""
        transport = httpx.ASGITransport(app=self.app)
        return httpx.AsyncClient(transport=transport, base_url="http://web")

    async def go_to_provider(self, browser: httpx.AsyncClient, next: str = "/tasks") -> httpx.URL:
        """Start signing in; where the provider sends the browser back."""
        r = await browser.get("/signin/sso", params={"next": next})
        assert r.status_code == 302, r.text
        assert r.headers["location"].startswith(f"{self.idp.issuer}/authorize?")
        async with httpx.AsyncClient() as to_provider:
            answer = await to_provider.get(r.headers["location"])
        assert answer.status_code in (302, 307), answer.text
        return httpx.URL(answer.headers["location"])

    async def sign_in(self, browser: httpx.AsyncClient, next: str = "/tasks") -> httpx.Response:
        """The whole round trip; the callback's response."""
        back = await self.go_to_provider(browser, next)
        return await browser.get(str(back))


@pytest.fixture
async def sso(dev_env: WorkflowEnvironment, migrated_url: str) -> AsyncIterator[Sso]:
    """The app with OIDC pointing at a fake provider served on a free port; no dev sign-in."""
    idp = FakeIdp(claims={"sub": "opaque-id-42", NIP_CLAIM: EMPLOYEE, ROLES_CLAIM: []})
    async with AsyncExitStack() as stack:
        await stack.enter_async_context(serving(idp))
        oidc = OidcConfig(
            issuer=idp.issuer,
            discovery_url=f"{idp.issuer}/.well-known/openid-configuration",
            client_id=CLIENT_ID,
            client_secret=SecretStr(CLIENT_SECRET),
            nip_claim=NIP_CLAIM,
            roles_claim=ROLES_CLAIM,
        )
        web = WEB.model_copy(update={"dev_signin": False, "dev_people": [], "oidc": oidc})
        app = install(
            create_app(ApiConfig(database_url=migrated_url, auth=AUTH), client=dev_env.client),
            web,
        )
        await stack.enter_async_context(app.router.lifespan_context(app))
        yield Sso(app, idp)


async def test_the_provider_signs_in_the_person_its_id_token_names(sso: Sso) -> None:
    sso.idp.claims.update({NIP_CLAIM: HR, ROLES_CLAIM: ["hr", "someone-elses-role"]})
    async with sso.browser() as browser:
        page = await browser.get("/signin")
        assert "Masuk dengan SSO" in page.text
        r = await sso.sign_in(browser, next="/appraisals")
        assert r.status_code == 303 and r.headers["location"] == "/appraisals"
        tasks = await browser.get("/tasks")
        assert tasks.status_code == 200 and HR in tasks.text
        # The session (signed, not secret) names the NIP and the one role this service knows.
        payload = browser.cookies["appraisal_session"].split(".")[0]
        session = json.loads(base64.b64decode(payload + "=" * (-len(payload) % 4)))
        assert (session["nip"], session["roles"]) == (HR, ["hr"])
        assert not any(key.startswith("_state_") for key in session)


async def test_pkce_is_sent_as_s256_and_verified(sso: Sso) -> None:
    async with sso.browser() as browser:
        r = await sso.sign_in(browser)
    assert r.status_code == 303
    (query,) = sso.idp.authorize_queries
    assert query["code_challenge_method"] == "S256" and query["nonce"] and query["state"]
    (verifier,) = sso.idp.verifiers
    assert s256(verifier) == query["code_challenge"]
    assert "openid" in query["scope"].split()


async def test_the_provider_refuses_a_verifier_that_does_not_match(sso: Sso) -> None:
    """The provider's PKCE check is real: the test above proves something."""
    async with sso.browser() as browser:
        back = await sso.go_to_provider(browser)
    code = back.params["code"]
    async with httpx.AsyncClient(auth=(CLIENT_ID, CLIENT_SECRET)) as app_side:
        r = await app_side.post(
            f"{sso.idp.issuer}/token",
            data={
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": sso.idp.authorize_queries[0]["redirect_uri"],
                "code_verifier": "not-the-verifier-" + "x" * 40,
            },
        )
    assert r.status_code == 400 and r.json()["error"] == "invalid_grant"


async def test_a_callback_with_another_state_signs_nobody_in(sso: Sso) -> None:
    async with sso.browser() as browser:
        back = await sso.go_to_provider(browser)
        forged = back.copy_set_param("state", "not-the-state-we-sent")
        r = await browser.get(str(forged))
        assert r.status_code == 401 and "Gagal masuk" in r.text
        assert (await browser.get("/tasks")).status_code == 303
    async with sso.browser() as stranger:  # a code from someone else's browser
        back = await sso.go_to_provider(stranger)
    async with sso.browser() as victim:
        r = await victim.get(str(back))
        assert r.status_code == 401
        assert (await victim.get("/tasks")).status_code == 303


@pytest.mark.parametrize(
    "change",
    [
        {"tamper": {"aud": "another-client"}},
        {"tamper": {"nonce": "another-nonce"}},
        {"tamper": {"iss": "https://another-issuer.example"}},
        {"tamper": {"exp": 1_000_000}},
        {"forge": True},
        {"tamper": {NIP_CLAIM: None}},
        {"tamper": {NIP_CLAIM: "12345"}},
        {"tamper": {ROLES_CLAIM: "hr"}},
    ],
    ids=["audience", "nonce", "issuer", "expired", "signature", "no-nip", "bad-nip", "roles"],
)
async def test_an_id_token_that_does_not_check_out_signs_nobody_in(
    sso: Sso, change: dict[str, object], caplog: pytest.LogCaptureFixture
) -> None:
    for name, value in change.items():
        setattr(sso.idp, name, value)
    caplog.set_level(logging.DEBUG)
    async with sso.browser() as browser:
        r = await sso.sign_in(browser)
        assert r.status_code == 401 and "Gagal masuk" in r.text
        assert EMPLOYEE not in r.text and "eyJ" not in r.text
        assert (await browser.get("/tasks")).status_code == 303
    logged = caplog.text
    assert EMPLOYEE not in logged and "eyJ" not in logged and CLIENT_SECRET not in logged


async def test_the_providers_refusal_signs_nobody_in(sso: Sso) -> None:
    sso.idp.deny = "access_denied"
    async with sso.browser() as browser:
        r = await sso.sign_in(browser)
        assert r.status_code == 401 and "Gagal masuk" in r.text
        assert (await browser.get("/tasks")).status_code == 303


@pytest.mark.parametrize("next", ["//evil.example", "https://evil.example/x", "/\\evil.example"])
async def test_next_stays_on_this_site(sso: Sso, next: str) -> None:
    async with sso.browser() as browser:
        r = await sso.sign_in(browser, next=next)
        assert r.status_code == 303 and r.headers["location"] == "/tasks"


async def test_signing_in_starts_a_fresh_session(sso: Sso) -> None:
    async with sso.browser() as browser:
        before = form_token((await browser.get("/signin?next=/tasks")).text)
        await sso.sign_in(browser)
        page = await browser.get("/tasks")
        assert form_token(page.text) != before


async def test_without_dev_sign_in_there_is_no_nip_form(sso: Sso) -> None:
    async with sso.browser() as browser:
        page = await browser.get("/signin")
        assert 'name="nip"' not in page.text and 'action="/signin"' not in page.text
        token = form_token(page.text) if 'name="csrf_token"' in page.text else ""
        r = await browser.post("/signin", data={"nip": EMPLOYEE, "csrf_token": token})
        assert r.status_code in (403, 404)
        assert (await browser.get("/tasks")).status_code == 303


async def test_with_dev_sign_in_too_a_mistyped_nip_shows_both_again(sso: Sso) -> None:
    config = sso.app.state.web_config
    sso.app.state.web_config = config.model_copy(update={"dev_signin": True})
    async with sso.browser() as browser:
        page = await browser.get("/signin")
        assert 'name="nip"' in page.text and "Masuk dengan SSO" in page.text
        r = await browser.post("/signin", data={"nip": "123", "csrf_token": form_token(page.text)})
        assert r.status_code == 422
        assert "NIP tidak valid" in r.text and "Masuk dengan SSO" in r.text


async def test_signing_out_ends_the_session_and_links_to_the_providers(sso: Sso) -> None:
    async with sso.browser() as browser:
        await sso.sign_in(browser)
        page = await browser.get("/tasks")
        r = await browser.post("/signout", data={"csrf_token": form_token(page.text)})
        assert r.status_code == 303 and r.headers["location"] == "/signin?out=1"
        assert (await browser.get("/tasks")).status_code == 303
        signin = await browser.get(r.headers["location"])
        assert f"{sso.idp.issuer}/logout?" in signin.text
        assert "post_logout_redirect_uri=" in signin.text


async def test_the_sso_routes_are_missing_without_sso(dev_env: WorkflowEnvironment) -> None:
    app = install(
        create_app(ApiConfig(database_url="sqlite+aiosqlite://", auth=AUTH), client=dev_env.client),
        WEB,
    )
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://web") as browser:
        assert (await browser.get("/signin/sso")).status_code == 404
        assert (await browser.get("/signin/sso/callback?code=x&state=y")).status_code == 404
        assert "Masuk dengan SSO" not in (await browser.get("/signin")).text


async def test_an_unreachable_provider_is_a_page_not_a_crash(dev_env: WorkflowEnvironment) -> None:
    nowhere = f"http://127.0.0.1:{free_port()}"
    oidc = OidcConfig(
        issuer=nowhere,
        discovery_url=f"{nowhere}/.well-known/openid-configuration",
        client_id=CLIENT_ID,
        client_secret=SecretStr(CLIENT_SECRET),
    )
    app = install(
        create_app(ApiConfig(database_url="sqlite+aiosqlite://", auth=AUTH), client=dev_env.client),
        WEB.model_copy(update={"oidc": oidc}),
    )
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://web") as browser:
        r = await browser.get("/signin/sso")
        assert r.status_code == 502 and "Gagal masuk" in r.text


async def test_only_the_latest_attempt_is_kept(sso: Sso) -> None:
    async with sso.browser() as browser:
        first = await sso.go_to_provider(browser)
        second = await sso.go_to_provider(browser)
        assert (await browser.get(str(first))).status_code == 401
        # The failed callback does not spoil the latest attempt.
        r = await browser.get(str(second))
        assert r.status_code == 303 and (await browser.get("/tasks")).status_code == 200
