"""Settings from the environment and a .env file, behind one cached getter."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from appraisal_engine.api.config import ApiConfig, AuthConfig
from appraisal_engine.appraisal.collector import TIDY_EVERY_S
from appraisal_engine.domain.catalogs import N_
from appraisal_engine.domain.contact import email_address
from appraisal_engine.domain.errors import DomainError, SettingError
from appraisal_engine.notices.config import NoticeConfig, SmtpConfig, WebhookConfig
from appraisal_engine.web.config import OidcConfig, WebConfig

SECURE_URL = N_("%(name)s must be an https:// URL (http:// only on localhost)")

# What a development stack's tokens name as issuer and audience when the settings name none.
DEV_ISSUER = "appraisal-dev"
DEV_AUDIENCE = "appraisal"


class Settings(BaseSettings):
    """Where Temporal and the database are, and how the worker runs."""

    model_config = SettingsConfigDict(env_file=".env", env_prefix="", extra="ignore")

    temporal_address: str = "127.0.0.1:7233"
    temporal_namespace: str = "default"
    task_queue: str = "appraisal"
    database_url: str = "sqlite+aiosqlite:///var/appraisal.db"
    # `kid:base64-32-byte-key`, comma-separated; the first encrypts, all decrypt. Empty: off.
    payload_keys: str = ""
    # Bearer tokens: a shared HS256 secret, or the city's single sign-on (OIDC) when a JWKS
    # URL is set. The API refuses to start without an issuer and an audience for either;
    # `appraisal dev` and `appraisal token` fall back to DEV_ISSUER and DEV_AUDIENCE.
    jwt_secret: str = ""
    jwt_audience: str = ""
    jwt_issuer: str = ""
    oidc_issuer: str = ""
    oidc_audience: str = ""
    oidc_jwks_url: str = ""
    # The web app's single sign-on (authorization code with PKCE) with the issuer above: on when
    # any of the client settings or the discovery URL is set, and then the client id, its secret
    # and OIDC_ISSUER are required. The ID token's NIP and roles are read from the named claims.
    oidc_discovery_url: str = ""
    oidc_client_id: str = ""
    oidc_client_secret: SecretStr = SecretStr("")
    oidc_scopes: str = "openid profile"
    oidc_redirect_url: str = ""
    oidc_nip_claim: str = "sub"
    oidc_roles_claim: str = "roles"
    # Tokens meant to live longer (exp - iat) are refused, and so are tokens expiring further
    # ahead; the leeway is the clock skew tolerated on exp, nbf and iat.
    jwt_max_lifetime_seconds: int = Field(default=12 * 3600, ge=60)
    jwt_leeway_seconds: int = Field(default=30, ge=0, le=120)
    # The web app's session cookie is signed with this (32 characters or more); `appraisal dev`
    # makes one under var/ when it is empty.
    session_secret: str = ""
    # The organisation's time zone for pages: Asia/Jakarta (WIB), Asia/Makassar (WITA) or
    # Asia/Jayapura (WIT); and the pages' language unless a person picks the other.
    time_zone: str = "Asia/Jakarta"
    default_locale: Literal["id", "en"] = "id"
    # Where a worker serves the Temporal SDK's own Prometheus metrics (e.g. 0.0.0.0:9464); off
    # when empty. The API's request metrics are at its /metrics.
    worker_metrics_address: str = ""
    # How many workflow runs a worker keeps in memory between their tasks (Temporal's sticky
    # cache, least recently used out first). A waiting appraisal outside it costs nothing but is
    # replayed from its history when its next task comes; 0 turns the cache off.
    worker_max_cached_workflows: int = Field(default=1000, ge=0)
    # How often a busy worker collects the garbage its work left (the runs pushed out of the
    # cache) and gives the freed pages back: more often holds less memory after a launch's wave,
    # for more CPU during it (docs/benchmarks.md, worker memory).
    worker_tidy_every_seconds: float = Field(default=TIDY_EVERY_S, gt=0)
    # Run workflow code in Temporal's sandbox. Every test and history replay does; it costs a
    # worker about 12 ms of CPU per new workflow run, so production workers skip it.
    workflow_sandbox: bool = False
    # Browser origins allowed to call the payload codec endpoint (the Temporal UI).
    codec_cors_origins: str = "http://localhost:8233,http://127.0.0.1:8233"
    # Notices by e-mail: the worker drains the outbox to this SMTP server. No SMTP_HOST: no
    # e-mail is sent and notices wait in the outbox. STARTTLS is required unless turned off;
    # SMTP_TLS is TLS from the first byte (port 465) instead. SMTP_FROM is the From address.
    smtp_host: str = ""
    smtp_port: int = Field(default=587, ge=1, le=65535)
    smtp_username: str = ""
    smtp_password: SecretStr = SecretStr("")
    smtp_starttls: bool = True
    smtp_tls: bool = False
    smtp_from: str = ""
    smtp_timeout_seconds: float = Field(default=30.0, gt=0)
    # Notices to a chat gateway (WhatsApp, Telegram): a signed JSON POST per message to
    # WEBHOOK_URL (https://, http:// only on localhost), for people with a mobile number;
    # WEBHOOK_SECRET (32 characters or more) is the HMAC-SHA256 key the gateway checks the
    # X-Appraisal-Signature header with (docs/operations.md#notices). No URL: no webhook.
    webhook_url: SecretStr = SecretStr("")
    webhook_secret: SecretStr = SecretStr("")
    webhook_timeout_seconds: float = Field(default=10.0, gt=0)
    # The local hour (TIME_ZONE) at which the people who asked for a daily digest get it.
    notice_digest_hour: int = Field(default=7, ge=0, le=23)
    # The web app's address as people reach it: notices link to {PUBLIC_URL}/tasks/{id}.
    public_url: str = "http://127.0.0.1:8000"
    # Whether this worker process runs the notice sender (several may: they never take the
    # same notice), how many notices a batch takes, how often an idle sender looks, and how
    # many tries a notice gets before it is marked failed.
    notice_sender: bool = True
    notice_batch_size: int = Field(default=20, ge=1, le=500)
    notice_poll_seconds: float = Field(default=5.0, gt=0)
    notice_max_attempts: int = Field(default=10, ge=1)

    def api_config(self, *, development: bool = False) -> ApiConfig:
        """What the API needs, from these settings; for a development stack, an unset JWT
        issuer and audience take DEV_ISSUER and DEV_AUDIENCE."""
        oidc = bool(self.oidc_jwks_url)
        issuer, audience = (
            self.jwt_issuer,
            (self.oidc_audience if oidc else "") or self.jwt_audience,
        )
        if development:
            issuer, audience = issuer or DEV_ISSUER, audience or DEV_AUDIENCE
        auth = AuthConfig(
            jwt_secret=self.jwt_secret,
            jwt_issuer=issuer or None,
            audience=audience,
            oidc_issuer=self.oidc_issuer or None,
            oidc_jwks_url=self.oidc_jwks_url or None,
            max_token_lifetime_seconds=self.jwt_max_lifetime_seconds,
            leeway_seconds=self.jwt_leeway_seconds,
        )
        return ApiConfig(
            database_url=self.database_url,
            temporal_address=self.temporal_address,
            temporal_namespace=self.temporal_namespace,
            task_queue=self.task_queue,
            auth=auth,
            codec_cors_origins=[o.strip() for o in self.codec_cors_origins.split(",") if o.strip()],
        )

    def web_config(
        self, *, development: bool = False, session_secret: str = "", dev_mail: Path | None = None
    ) -> WebConfig:
        """What the web app needs; a development stack signs in without a password, sends its
        cookie over plain HTTP, passes the secret it keeps when SESSION_SECRET is unset and
        shows the mail its catcher keeps in `dev_mail`."""
        return WebConfig(
            session_secret=session_secret or self.session_secret,
            secure_cookies=not development,
            dev_signin=development,
            dev_mail=dev_mail if development else None,
            oidc=self.oidc_config(),
            default_locale=self.default_locale,
            time_zone=self.time_zone,
        )

    def oidc_config(self) -> OidcConfig | None:
        """The web app's single sign-on, or None when none of its settings is set; ValueError
        naming what is missing or wrong when it is half set up."""
        secret = self.oidc_client_secret.get_secret_value()
        if not (self.oidc_client_id or secret or self.oidc_discovery_url):
            return None
        required = {
            "OIDC_ISSUER": self.oidc_issuer,
            "OIDC_CLIENT_ID": self.oidc_client_id,
            "OIDC_CLIENT_SECRET": secret,
        }
        missing = [name for name, value in required.items() if not value.strip()]
        if missing:
            raise SettingError(
                N_("single sign-on needs %(names)s: set it, or unset OIDC_CLIENT_*"),
                names=", ".join(missing),
            )
        discovery = self.oidc_discovery_url or (
            self.oidc_issuer.rstrip("/") + "/.well-known/openid-configuration"
        )
        for name, url in (
            ("OIDC_DISCOVERY_URL", discovery),
            ("OIDC_REDIRECT_URL", self.oidc_redirect_url),
        ):
            if url and not _secure_url(url):
                raise SettingError(SECURE_URL, name=name)
        if "openid" not in self.oidc_scopes.split():
            raise SettingError(N_("OIDC_SCOPES must include openid"))
        for name, claim in (
            ("OIDC_NIP_CLAIM", self.oidc_nip_claim),
            ("OIDC_ROLES_CLAIM", self.oidc_roles_claim),
        ):
            if not claim.strip():
                raise SettingError(N_("%(name)s must name a claim"), name=name)
        return OidcConfig(
            issuer=self.oidc_issuer,
            discovery_url=discovery,
            client_id=self.oidc_client_id,
            client_secret=self.oidc_client_secret,
            scopes=self.oidc_scopes,
            redirect_url=self.oidc_redirect_url,
            nip_claim=self.oidc_nip_claim,
            roles_claim=self.oidc_roles_claim,
        )

    def notice_config(
        self, *, smtp: SmtpConfig | None = None, public_url: str = ""
    ) -> NoticeConfig:
        """The notice sender's settings: `smtp` and `public_url` stand in for the configured
        ones (the dev stack's mail catcher); ValueError when SMTP_FROM is no address.
        SMTP_TLS (TLS from the first byte) makes SMTP_STARTTLS moot."""
        if smtp is None and self.smtp_host.strip():
            try:
                sender = email_address(self.smtp_from.strip(), "SMTP_FROM")
            except DomainError:
                raise SettingError(N_("SMTP_FROM must be the From e-mail address")) from None
            smtp = SmtpConfig(
                host=self.smtp_host.strip(),
                port=self.smtp_port,
                username=self.smtp_username,
                password=self.smtp_password,
                starttls=self.smtp_starttls and not self.smtp_tls,
                tls=self.smtp_tls,
                sender=sender,
                timeout_seconds=self.smtp_timeout_seconds,
            )
        return NoticeConfig(
            smtp=smtp,
            webhook=self.webhook_config(),
            digest_hour=self.notice_digest_hour,
            public_url=public_url or self.public_url,
            locale=self.default_locale,
            time_zone=self.time_zone,
            batch_size=self.notice_batch_size,
            poll_seconds=self.notice_poll_seconds,
            max_attempts=self.notice_max_attempts,
        )

    def webhook_config(self) -> WebhookConfig | None:
        """The chat gateway's webhook, None without WEBHOOK_URL; ValueError for a URL that is
        not https:// (http:// only on localhost) or a secret shorter than 32 characters. The
        errors never repeat the URL: it may carry the gateway's token."""
        url = self.webhook_url.get_secret_value().strip()
        if not url:
            return None
        if not _secure_url(url):
            raise SettingError(SECURE_URL, name="WEBHOOK_URL")
        if len(self.webhook_secret.get_secret_value()) < 32:
            raise SettingError(N_("WEBHOOK_SECRET must have 32 characters or more"))
        return WebhookConfig(
            url=SecretStr(url),
            secret=self.webhook_secret,
            timeout_seconds=self.webhook_timeout_seconds,
        )


def _secure_url(url: str) -> bool:
    # The client secret and the codes travel to these: plain HTTP only to this machine.
    parts = urlsplit(url)
    if parts.scheme == "https":
        return bool(parts.hostname)
    return parts.scheme == "http" and parts.hostname in ("localhost", "127.0.0.1", "::1")


class LocaleSetting(BaseSettings):
    """DEFAULT_LOCALE alone, read as Settings reads it: the language a setting that does not
    validate is said in, when the others cannot be read."""

    model_config = SettingsConfigDict(env_file=".env", env_prefix="", extra="ignore")

    default_locale: Literal["id", "en"] = "id"


@lru_cache
def get_settings() -> Settings:
    """The process's settings, read once."""
    return Settings()
