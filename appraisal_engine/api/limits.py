"""Request size limits, enforced while the body streams in (a missing or lying Content-Length
changes nothing)."""

from __future__ import annotations

from fastapi import FastAPI, HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from appraisal_engine.api.problems import TITLES, Problem, problem_response

UPLOADS = "/v1/rosters"
"""Where roster files are uploaded: bodies there may be as large as `max_upload_bytes`."""


def share_upload_limit(app: FastAPI, prefix: str) -> None:
    """Give requests under `prefix` the roster upload's body limit (the web app's upload page
    takes the same files as the API); call before the app starts."""
    limits: dict[str, int] = app.state.body_limits
    limits[prefix] = limits[UPLOADS]


class BodyTooLarge(HTTPException):
    """The body passed its limit (an HTTP error, so body parsing passes it on unchanged)."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"the body is larger than {limit} bytes")


class BodyLimitMiddleware:
    """Bodies up to `default` bytes, or a larger limit for the path prefixes given."""

    def __init__(self, app: ASGIApp, default: int, larger: dict[str, int] | None = None) -> None:
        self.app = app
        self.default = default
        self.larger = larger or {}

    def _limit(self, path: str) -> int:
        return next(
            (n for prefix, n in self.larger.items() if path.startswith(prefix)), self.default
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self._limit(scope["path"])
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await self._reject(limit, scope, receive, send)
            return
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise BodyTooLarge(limit)
            return message

        # Body parsing passes BodyTooLarge on as it is, so the app's HTTP error handler answers
        # it with the same problem as _reject.
        await self.app(scope, counted, send)

    @staticmethod
    async def _reject(limit: int, scope: Scope, receive: Receive, send: Send) -> None:
        detail = BodyTooLarge(limit).detail
        response = problem_response(Problem(title=TITLES[413], status=413, detail=detail))
        await response(scope, receive, send)
