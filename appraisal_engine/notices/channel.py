"""What every channel is to the sender: opened once per batch, one delivery per message, and
each failure sorted into refused-for-good, try-later, or connection lost."""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from typing import Protocol, TypeVar

Message = TypeVar("Message", contravariant=True)


class DeliveryError(Exception):
    """A message not delivered. `permanent`: refused for good (an SMTP 5xx for this message or
    recipient, a webhook's 4xx); `connection`: the server is unreachable or the connection is
    gone, so the rest of the batch waits too. The text is a code or a class name, never an
    address, a phone number or a URL."""

    def __init__(self, reason: str, *, permanent: bool = False, connection: bool = False) -> None:
        super().__init__(reason)
        self.reason, self.permanent, self.connection = reason, permanent, connection


class Connection(Protocol[Message]):
    """An open channel to deliver messages on."""

    async def deliver(self, message: Message) -> None:
        """Hand over one message; DeliveryError if it was not accepted."""


class Channel(Protocol[Message]):
    """Where notices go: opened once per batch."""

    def open(self) -> AbstractAsyncContextManager[Connection[Message]]:
        """Connect (and log in); DeliveryError(connection=True) if the server is unreachable."""
