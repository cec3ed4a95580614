"""Names for pages: a roster gives each NIP its name, and a page shows the names of the
employees on records the caller has already been given (never a lookup by any NIP)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from appraisal_engine.store.repositories.rosters import names_by_nip


class AboutEmployee(Protocol):
    """A record about one employee (a task, an appraisal)."""

    @property
    def employee_nip(self) -> str: ...


async def employee_names(session: AsyncSession, records: Iterable[AboutEmployee]) -> dict[str, str]:
    """Each record's employee's name, from the newest roster snapshot holding the NIP; NIPs in
    no snapshot are left out."""
    return await names_by_nip(session, {r.employee_nip for r in records})
