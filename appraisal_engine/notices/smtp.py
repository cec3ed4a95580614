"""The SMTP channel (aiosmtplib): one connection per batch, one message per notice, and each
failure sorted into refused-for-good, try-later, or connection lost. Errors carry an SMTP code
or a class name only: the server's own text often repeats the address."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from email.message import EmailMessage

import aiosmtplib

from appraisal_engine.notices.channel import Channel, Connection, DeliveryError
from appraisal_engine.notices.config import SmtpConfig

__all__ = ["Channel", "Connection", "DeliveryError", "SmtpChannel"]


def _refusal(code: int) -> DeliveryError:
    return DeliveryError(f"SMTP {code}", permanent=500 <= code < 600)


class _SmtpConnection:
    def __init__(self, client: aiosmtplib.SMTP) -> None:
        self._client = client

    async def deliver(self, message: EmailMessage) -> None:
        try:
            await self._client.send_message(message)
        except aiosmtplib.SMTPRecipientsRefused as e:  # one recipient per message: it is refused
            raise _refusal(min((r.code for r in e.recipients), default=550)) from None
        except (aiosmtplib.SMTPServerDisconnected, aiosmtplib.SMTPTimeoutError, OSError) as e:
            raise DeliveryError(type(e).__name__, connection=True) from None
        except aiosmtplib.SMTPSenderRefused as e:  # our From address: no recipient's fault
            raise DeliveryError(f"SMTP {e.code}", connection=True) from None
        except aiosmtplib.SMTPResponseException as e:  # e.g. 554 to DATA: this message refused
            raise _refusal(e.code) from None
        except aiosmtplib.SMTPException as e:
            raise DeliveryError(type(e).__name__) from None


class SmtpChannel:
    """Delivers through an SMTP submission server."""

    def __init__(self, config: SmtpConfig) -> None:
        self._config = config

    @asynccontextmanager
    async def open(self) -> AsyncIterator[Connection[EmailMessage]]:
        """One connection for a batch, with STARTTLS or TLS and a login as configured."""
        c = self._config
        client = aiosmtplib.SMTP(
            hostname=c.host,
            port=c.port,
            username=c.username or None,
            password=c.password.get_secret_value() or None,
            use_tls=c.tls,
            start_tls=False if c.tls else c.starttls,
            timeout=c.timeout_seconds,
        )
        try:
            await client.connect()
        except aiosmtplib.SMTPAuthenticationError as e:
            raise DeliveryError(f"SMTP {e.code} (login)", connection=True) from None
        except (aiosmtplib.SMTPException, OSError) as e:
            raise DeliveryError(type(e).__name__, connection=True) from None
        try:
            yield _SmtpConnection(client)
        finally:
            try:
                await client.quit()
            except (aiosmtplib.SMTPException, OSError):
                client.close()
