"""The worker's roster cache: a stored roster is an immutable snapshot, so it is loaded and
validated once and shared by the activities that read it while they need it.

A launch asks for its roster once a batch, for a few minutes; a cycle's calibration asks again
months later. So the cache lets a roster go once nobody asked for it for a while (KEEP_FOR_S) and
keeps a few at most (MOST_KEPT): a worker's memory does not grow with the cycles it served, nor
stay at a city's roster after its launch (docs/benchmarks.md, worker memory)."""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio.exceptions import ApplicationError

from appraisal_engine.domain.errors import DomainError
from appraisal_engine.domain.roster import Roster, validate_roster
from appraisal_engine.store.repositories.rosters import list_employees

KEEP_FOR_S = 600.0
"""A roster nobody asked for in this long (at most twice this) is let go; asked again, it is
loaded again."""

MOST_KEPT = 4
"""Rosters kept at most; the one asked for least recently goes first."""

_Key = tuple[str, str | None]


class RosterCache:
    """Validated rosters by id and top appraiser, each loaded once however many ask at once,
    and let go when nobody has asked for it for a while."""

    def __init__(
        self,
        session_factory: async_sessionmaker[AsyncSession],
        *,
        keep_for: float = KEEP_FOR_S,
        most: int = MOST_KEPT,
    ) -> None:
        self._sessions = session_factory
        self._keep_for, self._most = keep_for, most
        self._rosters: OrderedDict[_Key, Roster] = OrderedDict()  # least recently asked first
        self._asked: dict[_Key, float] = {}  # when each was last asked for (monotonic)
        self._sweep_at: asyncio.TimerHandle | None = None
        # Two batches need one load, not two. Made in the loop that first uses it.
        self._lock: asyncio.Lock | None = None

    def holds(self, roster_id: str, top: str | None) -> bool:
        """Whether the roster is loaded now."""
        return (roster_id, top) in self._rosters

    def keep(self, roster_id: str, top: str | None, roster: Roster) -> None:
        """Hold a validated roster as if it had just been asked for."""
        key = (roster_id, top)
        self._rosters[key] = roster
        self._asked_for(key)
        while len(self._rosters) > self._most:
            gone, _ = self._rosters.popitem(last=False)
            del self._asked[gone]
        self._sweep_later()

    async def get(self, roster_id: str, top: str | None) -> Roster:
        """The roster validated with `top` as its top appraiser; fails for good when there is
        no such roster or it breaks a rule."""
        key = (roster_id, top)
        if key in self._rosters:
            self._asked_for(key)
            return self._rosters[key]
        if self._lock is None:
            self._lock = asyncio.Lock()
        async with self._lock:
            if key in self._rosters:
                self._asked_for(key)
                return self._rosters[key]
            async with self._sessions() as session:
                employees = await list_employees(session, roster_id)
            if not employees:
                raise ApplicationError(
                    f"no roster {roster_id!r}", type="RosterNotFound", non_retryable=True
                )
            rows = [e.model_dump(mode="json") for e in employees]
            try:
                roster = validate_roster(rows, top_appraiser_nip=top)
            except DomainError as e:  # retrying cannot mend a roster or a policy
                raise ApplicationError(str(e), type="RosterInvalid", non_retryable=True) from None
            self.keep(roster_id, top, roster)
        return roster

    def _asked_for(self, key: _Key) -> None:
        self._asked[key] = time.monotonic()
        self._rosters.move_to_end(key)

    def _sweep_later(self) -> None:
        if self._sweep_at is None and self._rosters:
            self._sweep_at = asyncio.get_running_loop().call_later(self._keep_for, self._sweep)

    def _sweep(self) -> None:
        """Let go of every roster nobody asked for in `keep_for`; look again later if some
        are left."""
        self._sweep_at = None
        now = time.monotonic()
        for key in [k for k, at in self._asked.items() if now - at >= self._keep_for]:
            del self._rosters[key], self._asked[key]
        self._sweep_later()
