"""TCP ports for tests that start servers as processes: a free one, and waiting until one listens.

Ports are taken below the kernel's ephemeral range (32768 and up on Linux), where no outgoing
connection is given one between our check and the server's bind, and each pytest-xdist
worker draws from a slice of its own, so two workers never hand out the same port.
"""

from __future__ import annotations

import itertools
import os
import socket
import time

FIRST_PORT = 20000
"""The lowest port handed out; worker N draws from FIRST_PORT + N * SLICE onwards."""
SLICE = 1000
"""Ports in each worker's slice (12 workers fit below the ephemeral range)."""


def worker_number() -> int:
    """This pytest-xdist worker's number (gw3 → 3); 0 when the suite runs in one process."""
    return int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw"))


_candidates = itertools.cycle(range(FIRST_PORT + worker_number() * SLICE,
                                    FIRST_PORT + (worker_number() + 1) * SLICE))


def free_port() -> int:
    """A port of this worker's slice that nothing listens on right now."""
    for port in itertools.islice(_candidates, SLICE):
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue  # taken (another program, or a test's server still closing)
            return port
    raise RuntimeError(f"no free port in this worker's slice from {FIRST_PORT + worker_number() * SLICE}")


def wait_for_port(port: int, seconds: float = 60) -> None:
    """Return once something accepts connections on 127.0.0.1:port (TimeoutError after `seconds`)."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=2).close()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise TimeoutError(f"nothing listens on port {port}") from None
            time.sleep(0.1)
