"""A TCP proxy in front of the database that the outage test can pull the plug on: `cut`
drops every open connection and stops listening (new connections are refused, as they are
when a database server is down); `restore` listens on the same port again."""

from __future__ import annotations

import asyncio
import contextlib


class TcpProxy:
    """Forwards 127.0.0.1:`port` to `target_host`:`target_port` until cut."""

    def __init__(self, target_host: str, target_port: int) -> None:
        self.target_host, self.target_port = target_host, target_port
        self.port = 0
        self._server: asyncio.Server | None = None
        self._links: set[asyncio.StreamWriter] = set()

    async def start(self) -> None:
        """Listen (again), on the port of the first start."""
        self._server = await asyncio.start_server(
            self._link, "127.0.0.1", self.port, reuse_address=True
        )
        self.port = self._server.sockets[0].getsockname()[1]

    async def cut(self) -> None:
        """The database goes away: open connections break, new ones are refused."""
        server, self._server = self._server, None
        if server is not None:
            server.close()
        for writer in list(self._links):
            writer.transport.abort()
        self._links.clear()
        if server is not None:
            await server.wait_closed()

    async def restore(self) -> None:
        """The database is back."""
        await self.start()

    async def _link(self, client_r: asyncio.StreamReader, client_w: asyncio.StreamWriter) -> None:
        try:
            upstream_r, upstream_w = await asyncio.open_connection(
                self.target_host, self.target_port
            )
        except OSError:
            client_w.transport.abort()
            return
        self._links |= {client_w, upstream_w}
        pipes = [
            asyncio.ensure_future(_pipe(client_r, upstream_w)),
            asyncio.ensure_future(_pipe(upstream_r, client_w)),
        ]
        try:  # either side closing closes the other
            await asyncio.wait(pipes, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for pipe in pipes:
                pipe.cancel()
            for writer in (client_w, upstream_w):
                self._links.discard(writer)
                writer.transport.abort()


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    with contextlib.suppress(ConnectionError, OSError):
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
