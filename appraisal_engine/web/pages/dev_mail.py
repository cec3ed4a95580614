"""The mail `appraisal dev` caught, so a newcomer sees the notices arrive: the list, newest
first, and one message as text (its HTML part as escaped source, never rendered). Outside
development neither page exists."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Request
from starlette.responses import Response

from appraisal_engine.api.schemas import Offset
from appraisal_engine.services.errors import NotFound
from appraisal_engine.web import caught_mail
from appraisal_engine.web.paging import PAGE_SIZE, paged
from appraisal_engine.web.render import config_of, render
from appraisal_engine.web.routing import PageRoute

router = APIRouter(route_class=PageRoute)


def _folder(request: Request) -> Path:
    config = config_of(request)
    if not config.dev_signin or config.dev_mail is None:
        raise NotFound("page")
    return config.dev_mail


@router.get("/dev/mail", include_in_schema=False)
def caught(request: Request, offset: Offset = 0) -> Response:
    """The caught messages, newest first (development only)."""
    rows = caught_mail.newest(_folder(request), offset=offset, limit=PAGE_SIZE + 1)
    return render(request, "dev/mail.html", found=paged("/dev/mail", {}, rows, offset))


@router.get("/dev/mail/{name}", include_in_schema=False)
def caught_one(request: Request, name: str) -> Response:
    """One caught message (development only)."""
    message = caught_mail.one(_folder(request), name)
    if message is None:
        raise NotFound("message")
    return render(request, "dev/message.html", message=message)
