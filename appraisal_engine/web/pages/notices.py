"""My notices: what the bell counts, newest first and paged, each read once opened; every
notice is the person's here whatever became of its e-mail (no address, a refused delivery)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from starlette.responses import RedirectResponse, Response

from appraisal_engine.api.deps import SessionDep
from appraisal_engine.api.schemas import Offset
from appraisal_engine.notices.render import subject
from appraisal_engine.services import notices, tasks
from appraisal_engine.services.errors import NotFound
from appraisal_engine.web.bell import unread_of
from appraisal_engine.web.paging import PAGE_SIZE, paged
from appraisal_engine.web.render import config_of, render
from appraisal_engine.web.routing import PageRoute
from appraisal_engine.web.security import check_form_token
from appraisal_engine.web.session import SignedIn, locale_of

router = APIRouter(route_class=PageRoute, dependencies=[Depends(check_form_token)])


@router.get("/notices", include_in_schema=False)
async def my_notices(
    request: Request, me: SignedIn, session: SessionDep, offset: Offset = 0
) -> Response:
    """My notices, newest first, a page at a time."""
    rows = await notices.list_mine(session, me, offset=offset, limit=PAGE_SIZE + 1)
    found = paged("/notices", {}, rows, offset)
    locale = locale_of(request, config_of(request).default_locale)
    return render(
        request,
        "notices.html",
        found=found,
        subjects={n.id: subject(n, locale) for n in found.rows},
        any_unread=bool(unread_of(request)),
        seen=datetime.now(UTC).isoformat(),
    )


@router.get("/notices/{notice_id}", include_in_schema=False)
async def open_notice(
    request: Request, notice_id: str, me: SignedIn, session: SessionDep
) -> Response:
    """Mark my notice read and go to its task, or to its appraisal when the task is not one I
    may open (an escalation's recipient) or the notice has none."""
    notice = await notices.open_notice(session, me, notice_id, datetime.now(UTC))
    target = f"/appraisals/{notice.appraisal_id}"
    if notice.task_id is not None:
        try:
            await tasks.read(session, me, notice.task_id)
        except NotFound:
            pass
        else:
            target = f"/tasks/{notice.task_id}"
    return RedirectResponse(target, status_code=303)


@router.post("/notices/read", include_in_schema=False)
async def read_all(
    request: Request, me: SignedIn, session: SessionDep, seen: Annotated[datetime, Form()]
) -> Response:
    """Mark read all my notices written by the time my list was shown."""
    seen = seen if seen.tzinfo else seen.replace(tzinfo=UTC)
    await notices.read_all(session, me, datetime.now(UTC), seen=seen)
    return RedirectResponse("/notices", status_code=303)
