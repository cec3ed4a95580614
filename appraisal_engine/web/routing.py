"""Every page route: a person who is not signed in is sent to sign in; a service's refusal
becomes a page with the status the API would answer (404 alike for missing and not yours); a
form without the session's token is refused; every response gets the page headers."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any
from urllib.parse import quote

from fastapi import Depends, Request
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from starlette.responses import RedirectResponse, Response

from appraisal_engine.api.problems import service_status
from appraisal_engine.services.errors import NotFound, ServiceError
from appraisal_engine.web.bell import count_unread
from appraisal_engine.web.render import render
from appraisal_engine.web.security import BadFormToken, secure
from appraisal_engine.web.session import SignInRequired


class PageRoute(APIRoute):
    """A route whose refusals are pages, not problem documents, and whose pages show the bell's
    count."""

    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        kwargs["dependencies"] = [*(kwargs.get("dependencies") or []), Depends(count_unread)]
        super().__init__(path, endpoint, **kwargs)

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        original = super().get_route_handler()

        async def handler(request: Request) -> Response:
            try:
                response = await original(request)
            except SignInRequired:
                back = quote(request.url.path, safe="/")
                response = RedirectResponse(f"/signin?next={back}", status_code=303)
            except BadFormToken:
                response = render(request, "error.html", 403, error="form")
            except NotFound:
                response = render(request, "error.html", 404, error="missing")
            except ServiceError as e:
                response = render(
                    request, "error.html", service_status(e), error="refused", detail=e
                )
            except RequestValidationError:
                # A form without a field every page sends, or an unknown query: not a person's
                # typing (forms check that themselves), so no form to show again.
                response = render(request, "error.html", 422, error="malformed")
            return secure(response)

        return handler
