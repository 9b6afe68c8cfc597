"""Real `foad worker` processes for the end-to-end tests, and ways to wait on them."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Callable, Iterator, TypeVar

from models.settings import Settings

T = TypeVar("T")


def environment(settings: Settings, **extra: str) -> dict[str, str]:
    """The environment an operator would give `foad` for these settings."""
    env = {**os.environ, "DATABASE_URL": settings.database_url, "REDIS_URL": settings.redis_url or "",
           "FOAD_DATA_DIR": str(settings.data_dir), "FOAD_SECRET_KEY": "test-secret",
           "FOAD_LOG_LEVEL": "INFO"}
    env.update(extra)
    return env


@contextlib.contextmanager
def running_worker(settings: Settings, log: Path, *args: str, **env: str) -> Iterator[subprocess.Popen]:
    """A `foad worker` process (its log in `log`), stopped like systemd would at the end."""
    with open(log, "ab") as out:
        child = subprocess.Popen([sys.executable, "-m", "foad", "worker", *args],
                                 env=environment(settings, **env), stdout=out, stderr=out)
    try:
        yield child
    finally:
        stop(child, 15)


def stop(child: subprocess.Popen, grace: float) -> None:
    """Stop `child` as systemd would: SIGTERM, then SIGKILL after `grace` seconds."""
    child.send_signal(signal.SIGTERM)
    try:
        child.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        child.kill()
        child.wait()


def wait_for(probe: Callable[[], T], timeout: float = 30.0, what: str = "the condition") -> T:
    """Poll `probe` until it returns something true; fail the test after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = probe()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


def work_horse(worker_pid: int) -> int | None:
    """The pid of the work horse a worker forked for its current job (it leads its own
    process group; RQ's scheduler, the other child, does not)."""
    path = Path(f"/proc/{worker_pid}/task/{worker_pid}/children")
    for pid in map(int, path.read_text().split()) if path.exists() else ():
        with contextlib.suppress(ProcessLookupError):
            if os.getpgid(pid) == pid:
                return pid
    return None
