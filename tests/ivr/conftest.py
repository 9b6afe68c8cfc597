"""Fixtures for voice tests: a real FastAGI server on a TCP port, and a way to call it."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest

from ivr.fastagi import FastAgiServer
from ivr.peer.dial import PlacedCall, place_call
from models.runtime import Runtime
from models.settings import Settings


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


@pytest.fixture
def engine_process(settings: Settings) -> Iterator[Callable[..., tuple[subprocess.Popen, int]]]:
    """Start `foad fastagi` as its own process on the test's database (a test may kill it):
    `process, port = engine_process(FOAD_FASTAGI_STOP_GRACE="1")`."""
    from tests.ports import free_port, wait_for_port

    started: list[subprocess.Popen] = []

    def _start(**env: str) -> tuple[subprocess.Popen, int]:
        port = free_port()
        environ = {"DATABASE_URL": settings.database_url, "REDIS_URL": settings.redis_url or "",
                   "FOAD_DATA_DIR": str(settings.data_dir), "PATH": os.environ["PATH"], **env}
        process = subprocess.Popen([str(Path(sys.executable).parent / "foad"), "fastagi", "--port", str(port)],
                                   env=environ, stderr=subprocess.PIPE, text=True)
        started.append(process)
        wait_for_port(port)
        return process, port

    yield _start
    for process in started:
        process.kill()
        process.communicate()
