"""`foad web` as an operator runs it: a real gunicorn on a free port, its log kept in a file."""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from models.settings import Settings
from tests.ports import free_port, wait_for_port
from tests.worker.processes import environment, stop


@dataclass(frozen=True)
class Web:
    """A running `foad web`."""

    port: int
    log: Path
    """Its standard output and error together (gunicorn's access and error logs, the app's)."""
    home: Path
    """Its HOME and XDG_RUNTIME_DIR, where gunicorn would put a control socket."""

    def health(self, timeout: float) -> dict:
        """GET /healthz, waiting at most `timeout` seconds for the answer."""
        with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/healthz", timeout=timeout) as answer:
            return json.load(answer)

    def text(self) -> str:
        return self.log.read_text(errors="replace")


@contextmanager
def foad_web(settings: Settings, folder: Path, **env: str) -> Iterator[Web]:
    """Start `foad web` on the test's database and Redis, with `env` added; stop it after."""
    folder.mkdir(parents=True, exist_ok=True)
    web = Web(free_port(), folder / "web.log", folder / "home")
    web.home.mkdir(exist_ok=True)
    environ = environment(settings, HOME=str(web.home), XDG_RUNTIME_DIR=str(web.home),
                          TWILIO_AUTH_TOKEN="a token", **env)
    with open(web.log, "wb") as log:
        process = subprocess.Popen([sys.executable, "-m", "foad", "web", "--port", str(web.port)],
                                   env=environ, stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_for_port(web.port)
        yield web
    finally:
        stop(process, 30)
