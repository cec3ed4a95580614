"""What the notice sender needs: the SMTP server, the web app's address for links, the
messages' language and clock, and how the outbox is drained."""

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


class NoticeConfig(BaseModel):
    """The sender's settings; `smtp` None means no e-mail: notices wait in the outbox."""

    model_config = ConfigDict(frozen=True)

    smtp: SmtpConfig | None
    public_url: str = "http://127.0.0.1:8000"
    locale: Literal["id", "en"] = "id"
    time_zone: str = "Asia/Jakarta"
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
