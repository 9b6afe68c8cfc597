"""Fixtures for voice tests: a real FastAGI server on a TCP port, and a way to call it."""

from __future__ import annotations

import threading
from typing import Any, Iterator

import pytest

from foad.runtime import Runtime
from foad.settings import Settings
from ivr.fastagi import FastAgiServer
from ivr.peer.dial import PlacedCall, place_call


@pytest.fixture
def fastagi(runtime: Runtime) -> Iterator[FastAgiServer]:
    """`foad fastagi`'s server on a free port, serving from a thread of the test process."""
    server = FastAgiServer(("127.0.0.1", 0), runtime)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), name="fastagi")
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    thread.join()


@pytest.fixture
def dial(fastagi: FastAgiServer, settings: Settings):
    """Place a call through the server as Asterisk would: `dial("02188776655", "1 3 2 # 1")`."""

    def _dial(caller_id: str | None, keys: str = "", *, to: str = "128", **options: Any) -> PlacedCall:
        return place_call("127.0.0.1", fastagi.port, caller_id=caller_id, to=to, keys=keys,
                          recordings_dir=settings.recordings_dir, timeout=10, **options)

    return _dial
