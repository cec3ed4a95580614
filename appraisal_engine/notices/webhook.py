"""The webhook channel for the WhatsApp and Telegram gateways city offices run: one JSON POST
per message (httpx2), signed with HMAC-SHA256 over the timestamp and the body.

The gateway verifies, before it trusts a request:
  signed = X-Appraisal-Timestamp + "." + the raw body (bytes as received)
  X-Appraisal-Signature == "sha256=" + hex(HMAC-SHA256(WEBHOOK_SECRET, signed)), compared in
  constant time; and the timestamp (Unix seconds) within five minutes of its own clock, so a
  captured request cannot be replayed later. The body's `id` is the idempotency key: a request
  repeated after a lost answer carries the same id, and the gateway sends it on once.

A 2xx is delivered; any other 4xx but 408 and 429 is refused for good; 5xx, 408, 429, timeouts
and connection errors are tried again later. Neither the URL (a gateway's often carries a
token), nor the phone number, nor the gateway's answer is ever logged or kept."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import httpx2

from appraisal_engine.notices.channel import Connection, DeliveryError
from appraisal_engine.notices.config import WebhookConfig

TIMESTAMP_HEADER = "X-Appraisal-Timestamp"
SIGNATURE_HEADER = "X-Appraisal-Signature"
_TRY_LATER = frozenset({408, 429})
_quieted: set[str] = set()


def signature(secret: bytes, timestamp: str, body: bytes) -> str:
    """The signature header's value for a body sent at `timestamp` (Unix seconds, as text)."""
    mac = hmac.new(secret, timestamp.encode("ascii") + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def outcome(status: int) -> DeliveryError | None:
    """None for a 2xx; else the error a gateway's answer means."""
    if 200 <= status < 300:
        return None
    permanent = 400 <= status < 500 and status not in _TRY_LATER
    return DeliveryError(f"HTTP {status}", permanent=permanent)


class _Quiet(logging.Filter):
    """Drops the HTTP client's own request lines for the gateway's URL."""

    def __init__(self, url: str) -> None:
        super().__init__()
        self._url = url

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args if isinstance(record.args, tuple) else ()
        return not any(str(arg) == self._url for arg in args)


class _WebhookConnection:
    def __init__(
        self, client: httpx2.AsyncClient, url: str, secret: bytes, clock: Callable[[], float]
    ) -> None:
        self._client, self._url, self._secret, self._clock = client, url, secret, clock

    async def deliver(self, message: dict[str, Any]) -> None:
        body = json.dumps(message, ensure_ascii=False, separators=(",", ":")).encode()
        timestamp = str(int(self._clock()))
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            TIMESTAMP_HEADER: timestamp,
            SIGNATURE_HEADER: signature(self._secret, timestamp, body),
        }
        try:
            response = await self._client.post(self._url, content=body, headers=headers)
        except httpx2.TimeoutException as e:  # it may be slow, not gone: this one waits
            raise DeliveryError(type(e).__name__) from None
        except httpx2.TransportError as e:  # unreachable: the rest of the batch waits too
            raise DeliveryError(type(e).__name__, connection=True) from None
        error = outcome(response.status_code)
        if error is not None:
            raise error


class WebhookChannel:
    """Delivers JSON messages to a chat gateway; `clock` (Unix seconds) is injectable."""

    def __init__(
        self,
        config: WebhookConfig,
        *,
        clock: Callable[[], float] = time.time,
        transport: httpx2.AsyncBaseTransport | None = None,
    ) -> None:
        self._config, self._clock, self._transport = config, clock, transport
        self._url = str(httpx2.URL(config.url.get_secret_value()))
        if self._url not in _quieted:
            _quieted.add(self._url)
            logging.getLogger("httpx2").addFilter(_Quiet(self._url))

    @asynccontextmanager
    async def open(self) -> AsyncIterator[Connection[dict[str, Any]]]:
        """One HTTP client (its connections kept alive) for a batch."""
        secret = self._config.secret.get_secret_value().encode()
        async with httpx2.AsyncClient(
            timeout=self._config.timeout_seconds,
            transport=self._transport,
            follow_redirects=False,  # a redirect is an answer (3xx: tried again), not a hop
        ) as client:
            yield _WebhookConnection(client, self._url, secret, self._clock)
