"""What `appraisal dev`'s mail catcher kept under var/mail/ (one .eml file per message, named by
the moment it arrived), read back for the development mail page."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from email.parser import BytesHeaderParser
from email.utils import parsedate_to_datetime
from pathlib import Path

# The catcher's names: "20261203T101500-0001.eml"; anything else is not a message of its own.
NAME = re.compile(r"\d{8}T\d{6}-\d{4,}\.eml")


@dataclass(frozen=True)
class Caught:
    """One caught message: its headers and, when read whole, its plain text and HTML parts."""

    name: str
    sender: str
    to: str
    subject: str
    at: datetime
    text: str = ""
    html: str = ""


def _at(date: str | None, path: Path) -> datetime:
    try:
        if date:
            return parsedate_to_datetime(date).astimezone(UTC)
    except (TypeError, ValueError):
        pass
    return datetime.fromtimestamp(path.stat().st_mtime, UTC)


def _caught(path: Path, headers: EmailMessage, text: str = "", html: str = "") -> Caught:
    return Caught(
        name=path.name,
        sender=str(headers.get("From", "")),
        to=str(headers.get("To", "")),
        subject=str(headers.get("Subject", "")),
        at=_at(headers.get("Date"), path),
        text=text,
        html=html,
    )


def newest(folder: Path, *, offset: int, limit: int) -> list[Caught]:
    """The messages from `offset`, newest first, each read as far as its headers."""
    if not folder.is_dir():
        return []
    names = sorted((p.name for p in folder.iterdir() if NAME.fullmatch(p.name)), reverse=True)
    parser = BytesHeaderParser(policy=policy.default)
    found = []
    for name in names[offset : offset + limit]:
        path = folder / name
        with path.open("rb") as f:
            headers = parser.parse(f)
        assert isinstance(headers, EmailMessage)
        found.append(_caught(path, headers))
    return found


def one(folder: Path, name: str) -> Caught | None:
    """One message with its parts; None for a name the catcher did not write."""
    path = folder / name
    if not NAME.fullmatch(name) or not path.is_file():
        return None
    message = message_from_bytes(path.read_bytes(), policy=policy.default)
    assert isinstance(message, EmailMessage)
    parts = {}
    for kind in ("plain", "html"):
        part = message.get_body(preferencelist=(kind,))
        if part is not None and part.get_content_subtype() == kind:
            parts[kind] = str(part.get_content())
    return _caught(path, message, parts.get("plain", ""), parts.get("html", ""))
