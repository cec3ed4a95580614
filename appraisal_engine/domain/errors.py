"""The one error type the domain raises for bad input."""

from __future__ import annotations


class DomainError(ValueError):
    """Input that breaks a rule; the message names the field and what is wrong."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(f"{field}: {message}" if field else message)
        self.field = field
        self.reason = message
