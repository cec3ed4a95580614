"""`appraisal dev`'s mail catcher: a local SMTP server (aiosmtpd) that keeps every message it
is given under var/mail/ instead of delivering it, so a newcomer sees the notices arrive and
no demo notice can reach a real mailbox."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Callable
from datetime import UTC, datetime
from email import message_from_bytes, policy
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller

from appraisal_engine.appraisal.i18n import _

SHOWN = 10  # messages announced one by one; after that, every hundredth


class MailCatcher:
    """An aiosmtpd handler: each message is written to `folder` as an .eml file and announced
    by its subject (never its address)."""

    def __init__(self, folder: Path, say: Callable[[str], None]) -> None:
        self.folder, self._say = folder, say
        self._numbers = itertools.count(1)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        """Keep the message; aiosmtpd's hook for a message received."""
        content = envelope.content if isinstance(envelope.content, bytes) else b""
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
        path = self.folder / f"{stamp}-{next(self._numbers):04d}.eml"
        path.write_bytes(content)
        number = int(path.stem.rsplit("-", 1)[1])
        if number <= SHOWN:
            subject = message_from_bytes(content, policy=policy.default).get("Subject", "")
            self._say(_("mail caught: %(subject)s (%(path)s)", subject=subject, path=path))
        elif number % 100 == 0:  # a launch opens a task for everyone: count, do not flood
            said = _(
                "mail caught: %(n)s messages so far, all in %(folder)s",
                n=number,
                folder=self.folder,
            )
            self._say(said)
        return "250 Message accepted for delivery"


class CaughtMail:
    """The catcher listening on 127.0.0.1:`port` while the block runs."""

    def __init__(self, folder: Path, port: int, say: Callable[[str], None]) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.folder, self.port = folder, port
        self._controller = Controller(MailCatcher(folder, say), hostname="127.0.0.1", port=port)

    async def __aenter__(self) -> CaughtMail:
        await asyncio.to_thread(self._controller.start)
        return self

    async def __aexit__(self, *exc: object) -> None:
        await asyncio.to_thread(self._controller.stop)
