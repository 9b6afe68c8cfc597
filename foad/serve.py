"""`foad serve`: one process tree for the embedded default; each service its own process.

Each service runs in a process group of its own, so a Ctrl-C at the terminal reaches only
this supervisor, which then stops the services in order: the worker first (RQ's scheduler
stops with it, and both still need Redis), then FastAGI and the web; the embedded Redis,
in a group of its own too, is stopped last by whoever started it (foad.embedded_redis).
"""

from __future__ import annotations

import errno
import logging
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from typing import Callable, Mapping

log = logging.getLogger(__name__)

RESTART_DELAY = 2.0
"""Seconds to wait before restarting a service that exited on its own."""
STOP_ORDER = ("worker", "smpp", "fastagi", "web")
"""Who is stopped first: the worker and the SMPP link while Redis is still up, then the servers."""
POLL = 0.5
"""Seconds between looks at the services."""


@dataclass(frozen=True)
class Addresses:
    """Where `foad serve`'s servers listen: the web's address is public, FastAGI's must be
    reachable only by Asterisk."""

    host: str = "127.0.0.1"
    port: int = 8000
    fastagi_host: str = "127.0.0.1"
    fastagi_port: int = 4573
    metrics_port: int | None = None
    """FastAGI's metrics port (FOAD_METRICS_PORT); the worker's is the next one."""


def services(at: Addresses, smpp: bool = False) -> dict[str, list[str]]:
    """The `foad` sub-commands `serve` keeps running, the SMPP link among them with `smpp`."""
    metrics = at.metrics_port is not None
    found = {
        "web": ["web", "--host", at.host, "--port", str(at.port)],
        "fastagi": ["fastagi", "--host", at.fastagi_host, "--port", str(at.fastagi_port),
                    *(["--metrics-port", str(at.metrics_port)] if metrics else [])],
        "worker": ["worker", *(["--metrics-port", str(at.metrics_port + 1)] if metrics else [])],
    }
    if smpp:
        found["smpp"] = ["smpp"]
    return found


class _Signals:
    """SIGTERM and SIGINT, counted: the first stops the services in order, a second kills
    those still stopping."""

    def __init__(self) -> None:
        self.count = 0
        self.stopping = threading.Event()
        signal.signal(signal.SIGTERM, self._received)
        signal.signal(signal.SIGINT, self._received)

    def _received(self, _signum, _frame) -> None:
        self.count += 1
        self.stopping.set()


class Supervisor:
    """The services as child processes: started, restarted when one dies, stopped in order."""

    def __init__(self, commands: dict[str, list[str]], env: dict[str, str]) -> None:
        self.commands, self.env = commands, env
        self.children: dict[str, subprocess.Popen[bytes]] = {}

    def start(self) -> None:
        """Start every service."""
        for name in self.commands:
            self._start(name)

    def restart_dead(self, signals: _Signals) -> None:
        """Start again any service that exited on its own (after a pause)."""
        for name, child in list(self.children.items()):
            if child.poll() is not None and not signals.stopping.is_set():
                log.error("service exited, restarting", extra={"service": name, "code": child.returncode})
                if not signals.stopping.wait(RESTART_DELAY):
                    self._start(name)

    def stop(self, signals: _Signals) -> None:
        """Stop the services in STOP_ORDER, each waited for before the next."""
        for name in sorted(self.children, key=lambda n: STOP_ORDER.index(n) if n in STOP_ORDER else -1):
            child = self.children[name]
            if child.poll() is None:
                child.terminate()
            while child.poll() is None:
                if signals.count > 1:
                    child.kill()  # asked twice: no more waiting
                time.sleep(0.1)
            log.info("service stopped", extra={"service": name, "code": child.returncode})

    def _start(self, name: str) -> None:
        child = subprocess.Popen([sys.executable, "-m", "foad", *self.commands[name]], env=self.env,
                                 process_group=0)
        self.children[name] = child
        log.info("service started", extra={"service": name, "pid": child.pid})


def serve_all(redis_url: str, at: Addresses, ready: Callable[[], None] = lambda: None, *,
              env: Mapping[str, str] | None = None, smpp: bool = False) -> None:
    """Start every service (the SMPP link too with `smpp`) with the shared Redis URL and
    `env` (e.g. the local Twilio's settings); call `ready` once the web and FastAGI listen;
    restart any that dies; stop all in order on SIGTERM or SIGINT."""
    signals = _Signals()
    supervisor = Supervisor(services(at, smpp), {**os.environ, **(env or {}), "REDIS_URL": redis_url})
    supervisor.start()
    announced = False
    try:
        while not signals.stopping.wait(POLL):
            supervisor.restart_dead(signals)
            if not announced and listening(at.host, at.port) and listening(at.fastagi_host, at.fastagi_port):
                ready()
                announced = True
    finally:
        signals.stopping.set()
        supervisor.stop(signals)


def listening(host: str, port: int) -> bool:
    """True once a server holds host:port. Tried by binding it, not by connecting: FastAGI
    would log a connection that says nothing as a call that ended before it began."""
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        try:
            probe.bind((host, port))
        except OSError as exc:
            return exc.errno == errno.EADDRINUSE
    return False
