"""`foad serve`: one process tree for the embedded default; each service its own process."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import time
from typing import Mapping

log = logging.getLogger(__name__)

RESTART_DELAY = 2.0
"""Seconds to wait before restarting a service that exited on its own."""


def services(host: str, port: int, fastagi_port: int = 4573,
             fastagi_host: str = "127.0.0.1", smpp: bool = False) -> dict[str, list[str]]:
    """The `foad` sub-commands `serve` keeps running (FastAGI on its own address: the web's
    is public, FastAGI's must be reachable only by Asterisk), and the SMPP link with `smpp`."""
    found = {
        "web": ["web", "--host", host, "--port", str(port)],
        "fastagi": ["fastagi", "--host", fastagi_host, "--port", str(fastagi_port)],
        "worker": ["worker"],
    }
    if smpp:
        found["smpp"] = ["smpp"]
    return found


def serve_all(redis_url: str, *, host: str, port: int, fastagi_port: int = 4573,
              fastagi_host: str = "127.0.0.1", env: Mapping[str, str] | None = None,
              smpp: bool = False) -> None:
    """Start every service with the shared Redis URL (and `env`, e.g. the local Twilio's
    settings); restart any that dies; stop all on a signal."""
    env = {**os.environ, **(env or {}), "REDIS_URL": redis_url}
    commands = services(host, port, fastagi_port, fastagi_host, smpp)
    children = {name: _start(name, argv, env) for name, argv in commands.items()}
    stopping = False

    def _stop(_signum, _frame) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    while not stopping:
        time.sleep(0.5)
        for name, child in list(children.items()):
            if child.poll() is not None and not stopping:
                log.error("service exited, restarting", extra={"service": name, "code": child.returncode})
                time.sleep(RESTART_DELAY)
                children[name] = _start(name, commands[name], env)
    for child in children.values():
        child.terminate()
    for child in children.values():
        child.wait()


def _start(name: str, argv: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
    child = subprocess.Popen([sys.executable, "-m", "foad", *argv], env=env)
    log.info("service started", extra={"service": name, "pid": child.pid})
    return child
