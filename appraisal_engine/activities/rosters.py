"""The worker's roster cache: a stored roster is an immutable snapshot, so it is loaded and
validated once per worker and shared by the activities that read it."""

from __future__ import annotations

import asyncio

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio.exceptions import ApplicationError

from appraisal_engine.domain.errors import DomainError
from appraisal_engine.domain.roster import Roster, validate_roster
from appraisal_engine.store.repositories.rosters import list_employees


class RosterCache:
    """Validated rosters by id and top appraiser, each loaded once however many ask at once."""

    def __init__(self, session_factory: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = session_factory
        self._rosters: dict[tuple[str, str | None], Roster] = {}
        # Two batches need one load, not two. Made in the loop that first uses it.
        self._lock: asyncio.Lock | None = None

    async def get(self, roster_id: str, top: str | None) -> Roster:
        """The roster validated with `top` as its top appraiser; fails for good when there is
        no such roster or it breaks a rule."""
        key = (roster_id, top)
        if key in self._rosters:
            return self._rosters[key]
        if self._lock is None:
            self._lock = asyncio.Lock()
        async with self._lock:
            if key in self._rosters:
                return self._rosters[key]
            async with self._sessions() as session:
                employees = await list_employees(session, roster_id)
            if not employees:
                raise ApplicationError(
                    f"no roster {roster_id!r}", type="RosterNotFound", non_retryable=True
                )
            rows = [e.model_dump(mode="json") for e in employees]
            try:
                self._rosters[key] = validate_roster(rows, top_appraiser_nip=top)
            except DomainError as e:  # retrying cannot mend a roster or a policy
                raise ApplicationError(str(e), type="RosterInvalid", non_retryable=True) from None
        return self._rosters[key]
