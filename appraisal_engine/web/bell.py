"""The bell in every signed-in page's header: how many of the person's notices are unread,
counted once per page (a partial index of the unread notices answers it) and kept on the
request for the template."""

from __future__ import annotations

from fastapi import Request

from appraisal_engine.api.deps import services
from appraisal_engine.services import notices
from appraisal_engine.web.session import current


async def count_unread(request: Request) -> None:
    """A page's dependency: the signed-in person's unread count on `request.state.unread`;
    none for htmx fragments, which have no header.

    It reads in a session of its own, opened only for a signed-in person: pages that need no
    database (signing in, single sign-on's redirects) keep needing none."""
    person = current(request)
    if person is None or "HX-Request" in request.headers:
        return
    async with services(request).sessions() as session:
        request.state.unread = await notices.unread_count(session, person)


def unread_of(request: Request) -> int | None:
    """The count the dependency kept; None when it did not run."""
    found = getattr(request.state, "unread", None)
    return found if isinstance(found, int) else None
