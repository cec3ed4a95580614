"""The worker's roster cache: a stored roster is an immutable snapshot, so it is loaded and
validated once and shared by the activities that read it while they need it.

A launch asks for its roster once a batch, for a few minutes; a cycle's calibration asks again
months later. So the cache lets a roster go once nobody asked for it for a while (KEEP_FOR_S) and
keeps a few at most (MOST_KEPT): a worker's memory does not grow with the cycles it served, nor
stay at a city's roster after its launch (docs/benchmarks.md, worker memory). The worker that
starts a launch's last batch lets the roster go at once when the batch is done."""

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
        # Each roster with when it was last asked for (monotonic), least recently asked first.
        self._held: OrderedDict[_Key, tuple[Roster, float]] = OrderedDict()
        self._sweep_at: asyncio.TimerHandle | None = None
        # Two batches need one load, not two. Made in the loop that first uses it.
        self._lock: asyncio.Lock | None = None

    def holds(self, roster_id: str, top: str | None) -> bool:
        """Whether the roster is loaded now."""
        return (roster_id, top) in self._held

    def forget(self, roster_id: str, top: str | None) -> None:
        """Let go of a roster now (one that asks for it again loads it again)."""
        self._held.pop((roster_id, top), None)

    def keep(self, roster_id: str, top: str | None, roster: Roster) -> None:
        """Hold a validated roster as if it had just been asked for."""
        self._held[(roster_id, top)] = (roster, time.monotonic())
        self._held.move_to_end((roster_id, top))
        while len(self._held) > self._most:
            self._held.popitem(last=False)
        if self._sweep_at is None:
            self._sweep_at = asyncio.get_running_loop().call_later(self._keep_for, self._sweep)

    async def get(self, roster_id: str, top: str | None) -> Roster:
        """The roster validated with `top` as its top appraiser; fails for good when there is
        no such roster or it breaks a rule."""
        if (held := self._asked_for(roster_id, top)) is not None:
            return held
        if self._lock is None:
            self._lock = asyncio.Lock()
        async with self._lock:
            if (held := self._asked_for(roster_id, top)) is not None:
                return held
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

    def _asked_for(self, roster_id: str, top: str | None) -> Roster | None:
        """The roster if held, now as just asked for; None if not held."""
        held = self._held.get((roster_id, top))
        if held is None:
            return None
        self.keep(roster_id, top, held[0])
        return held[0]

    def _sweep(self) -> None:
        """Let go of every roster nobody asked for in `keep_for` (the oldest asked come
        first); look again later if some are left."""
        self._sweep_at = None
        now = time.monotonic()
        while self._held and now - next(iter(self._held.values()))[1] >= self._keep_for:
            self._held.popitem(last=False)
        if self._held:
            self._sweep_at = asyncio.get_running_loop().call_later(self._keep_for, self._sweep)
