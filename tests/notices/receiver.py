"""A chat gateway for the tests: a real HTTP server (uvicorn) on a free port that verifies each
request's signature and timestamp as docs/operations.md#notices tells a gateway to, answers
with the statuses it is given, and keeps what it accepted."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import socket
import time
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

SECRET = "gateway-secret-of-at-least-32-characters"
TOKEN = "t0k3n-in-the-url-9f8e7d"
MAX_AGE = 300  # seconds: an older (or future) timestamp is a replay, refused


def verify(secret: bytes, timestamp: str, body: bytes, signature: str) -> bool:
    """The gateway's check, as the operations guide gives it."""
    if not timestamp.isdigit() or abs(time.time() - int(timestamp)) > MAX_AGE:
        return False
    signed = timestamp.encode() + b"." + body
    expected = "sha256=" + hmac.new(secret, signed, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, signature)


@dataclass
class Gateway:
    """What the gateway saw: every request, the ones it accepted, and what to answer next."""

    answers: list[int] = field(default_factory=list)  # answered in turn, then 200
    refuse: set[str] = field(default_factory=set)  # recipient NIPs answered 400
    requests: list[dict[str, Any]] = field(default_factory=list)
    accepted: list[dict[str, Any]] = field(default_factory=list)
    unsigned: int = 0

    async def receive(self, request: Request) -> Response:
        body = await request.body()
        signed = verify(
            SECRET.encode(),
            request.headers.get("X-Appraisal-Timestamp", ""),
            body,
            request.headers.get("X-Appraisal-Signature", ""),
        )
        if not signed or request.query_params.get("token") != TOKEN:
            self.unsigned += 1
            return Response(status_code=401)
        payload = json.loads(body)
        self.requests.append(payload)
        if payload["recipient_nip"] in self.refuse:
            return Response(status_code=400)
        status = self.answers.pop(0) if self.answers else 200
        if status == 200:
            self.accepted.append(payload)  # every one kept: a test sees any id sent twice
        return Response(status_code=status)


class GatewayServer:
    """The gateway on 127.0.0.1, served by uvicorn in the test's event loop."""

    def __init__(self) -> None:
        # Bound and listening from here on: requests queue until uvicorn accepts them.
        self._socket = socket.socket()
        self._socket.bind(("127.0.0.1", 0))
        self._socket.listen()
        self.port = int(self._socket.getsockname()[1])
        self.gateway = Gateway()
        self.url = f"http://127.0.0.1:{self.port}/hooks/appraisal?token={TOKEN}"
        app = Starlette(routes=[Route("/hooks/appraisal", self.gateway.receive, methods=["POST"])])
        config = uvicorn.Config(
            app, host="127.0.0.1", port=self.port, log_level="warning", access_log=False,
            lifespan="off",
        )  # fmt: skip
        self._server = uvicorn.Server(config)
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self._task = asyncio.create_task(self._server.serve(sockets=[self._socket]))

    async def stop(self) -> None:
        self._server.should_exit = True
        if self._task is not None:
            await self._task
        self._socket.close()
