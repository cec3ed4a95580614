"""What the notice sender needs: the SMTP server and the chat gateway's webhook, the web app's
address for links, the messages' language and clock, the daily digest's hour, and how the
outbox is drained."""

from __future__ import annotations

from datetime import timedelta
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr


class SmtpConfig(BaseModel):
    """An SMTP submission server: implicit TLS (`tls`, port 465) or STARTTLS (`starttls`,
    port 587, required when on), with a login when a username is given."""

    model_config = ConfigDict(frozen=True)

    host: str
    port: int = Field(default=587, ge=1, le=65535)
    username: str = ""
    password: SecretStr = SecretStr("")
    starttls: bool = True
    tls: bool = False
    sender: str  # the From address
    timeout_seconds: float = Field(default=30.0, gt=0)


class WebhookConfig(BaseModel):
    """A chat gateway (WhatsApp, Telegram) taking signed JSON POSTs; see notices/webhook.py."""

    model_config = ConfigDict(frozen=True)

    url: SecretStr  # a gateway's URL often carries its own token: never logged
    secret: SecretStr  # the HMAC-SHA256 key the gateway verifies the signature with
    timeout_seconds: float = Field(default=10.0, gt=0)


class NoticeConfig(BaseModel):
    """The sender's settings; `smtp` None means no e-mail, `webhook` None no chat messages;
    with neither, notices wait in the outbox."""

    model_config = ConfigDict(frozen=True)

    smtp: SmtpConfig | None
    webhook: WebhookConfig | None = None
    public_url: str = "http://127.0.0.1:8000"
    locale: Literal["id", "en"] = "id"
    time_zone: str = "Asia/Jakarta"
    # The local hour (in `time_zone`) at which a person's daily digest goes out.
    digest_hour: int = Field(default=7, ge=0, le=23)
    batch_size: int = Field(default=20, ge=1, le=500)
    poll_seconds: float = Field(default=5.0, gt=0)
    max_attempts: int = Field(default=10, ge=1)
    retry_base: timedelta = timedelta(seconds=30)
    retry_cap: timedelta = timedelta(hours=1)
    # How long a claimed notice is this sender's: longer than a batch can take (batch_size
    # messages at the SMTP timeout each), so a live sender never loses its rows to another.
    lease: timedelta = timedelta(minutes=15)

    def task_link(self, task_id: str) -> str:
        """The task's page in the web app."""
        return f"{self.public_url.rstrip('/')}/tasks/{task_id}"

    def appraisal_link(self, appraisal_id: str) -> str:
        """The appraisal's page in the web app."""
        return f"{self.public_url.rstrip('/')}/appraisals/{appraisal_id}"

    def inbox_link(self) -> str:
        """The person's task list in the web app."""
        return f"{self.public_url.rstrip('/')}/tasks"
