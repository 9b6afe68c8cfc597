"""TCP ports for tests that start servers as processes: a free one, and waiting until one listens.

Ports are drawn below the kernel's ephemeral range (32768 and up on Linux), where no outgoing
connection is given one between our check and the server's bind. Each pytest-xdist worker
draws from a share of its own, so two workers never hand out the same port; within it the
draw is random, so that test runs of other checkouts on the same machine, drawing at the
same moment, are unlikely to pick the same one.
"""

from __future__ import annotations

import os
import random
import socket
import time

LOWEST, BELOW = 20000, 32768
"""The ports handed out: from LOWEST up to the ephemeral range."""


def worker_number() -> int:
    """This pytest-xdist worker's number (gw3 → 3); 0 when the suite runs in one process."""
    return int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw"))


def _share() -> range:
    """This worker's ports."""
    size = (BELOW - LOWEST) // int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1"))
    first = LOWEST + worker_number() * size
    return range(first, first + size)


def free_port() -> int:
    """A port of this worker's share that nothing listens on (or lingers on) right now."""
    share = _share()
    for port in random.sample(share, 200):
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue  # taken: another program, or a test's server still closing
            return port
    raise RuntimeError(f"no free port among 200 tried in {share.start}-{share.stop - 1}")


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
