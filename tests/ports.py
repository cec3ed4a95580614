"""Free ports for the servers the tests start, chosen so that nothing else takes one between
choosing it and listening on it.

A port the kernel hands out for port 0 comes from the ephemeral range, which every outgoing
connection on the machine (a database client, an HTTP call) also draws its local port from: in
the moment between choosing such a port and a server listening on it, a connection may take it.
These come from below that range instead, from a block of this process's own in a split run
(`make test`), each block's ports in a shuffled order gone through once before any repeats, so
neither outgoing connections nor the other process nor this one's earlier tests choose it."""

from __future__ import annotations

import os
import random
import socket
from collections.abc import Iterator
from pathlib import Path

_LOW = 20_000  # far above the well-known ports, below Linux's ephemeral range (32768 on)
_BLOCK = 2_000


def _ephemeral_start() -> int:
    try:
        return int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 32_768


def _candidates() -> Iterator[int]:
    """This process's block, shuffled, over and over."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw")
    blocks = max(1, (_ephemeral_start() - _LOW) // _BLOCK)
    start = _LOW + (int(worker) if worker.isdigit() else 0) % blocks * _BLOCK
    ports = list(range(start, start + _BLOCK))
    while True:
        random.shuffle(ports)
        yield from ports


_PORTS = _candidates()


def free_port() -> int:
    """A port nobody listens on right now, from this process's block."""
    for _ in range(_BLOCK):
        port = next(_PORTS)
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:  # in use
                continue
            return port
    raise RuntimeError(f"no free port among {_BLOCK} tried")
