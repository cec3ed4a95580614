"""What one batch of the sender works with: the messages it makes (one notice, or a person's
digest), what it read about its people and tasks, and what it did."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from appraisal_engine.domain.notices import Notice, NoticeChannel, NoticePreferences
from appraisal_engine.domain.records import TaskRecord
from appraisal_engine.store.repositories.notice_preferences import preferences_of
from appraisal_engine.store.repositories.rosters import contacts_by_nip
from appraisal_engine.store.repositories.tasks import tasks_by_id


@dataclass
class Drained:
    """What one batch did, by notice id."""

    sent: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    retried: list[str] = field(default_factory=list)
    deferred: list[str] = field(default_factory=list)  # held for a digest or quiet hours
    forked: list[str] = field(default_factory=list)  # webhook rows added, due at once
    messages: int = 0  # messages the channels accepted (a digest is one)

    @property
    def claimed(self) -> int:
        """How many notices the batch took."""
        ended = self.sent, self.failed, self.skipped, self.retried, self.deferred
        return sum(len(ids) for ids in ended)


@dataclass(frozen=True)
class Outgoing:
    """One message: one notice, or a person's digest of several, to one address or phone."""

    notices: list[Notice]
    address: str
    digest: bool = False


@dataclass
class Lookups:
    """What a batch needs to know about its people and tasks, read once."""

    contacts: dict[str, tuple[str | None, str | None]]
    preferences: dict[str, NoticePreferences]
    tasks: dict[str, TaskRecord | None]

    def address(self, notice: Notice) -> str | None:
        """The notice's e-mail address or phone number, as its channel wants."""
        email, phone = self.contacts.get(notice.recipient_nip, (None, None))
        return email if notice.channel is NoticeChannel.EMAIL else phone

    def task(self, notice: Notice) -> TaskRecord | None:
        """The task the notice is about; None for a decision, which has none."""
        return None if notice.task_id is None else self.tasks[notice.task_id]


async def look_up(sessions: async_sessionmaker[AsyncSession], notices: Sequence[Notice]) -> Lookups:
    """The notices' people's contacts and preferences, and their tasks."""
    nips = {n.recipient_nip for n in notices}
    async with sessions() as session:
        contacts = await contacts_by_nip(session, nips)
        preferences = await preferences_of(session, nips)
        task_ids = {n.task_id for n in notices if n.task_id is not None}
        found = await tasks_by_id(session, task_ids)
    # A task whose row is gone is None, as a closed one would be stale: its notice is skipped.
    tasks: dict[str, TaskRecord | None] = {t: found.get(t) for t in task_ids}
    return Lookups(contacts, preferences, tasks)
