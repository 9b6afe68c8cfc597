"""`foad serve`: the whole engine as one process tree, started and stopped cleanly."""

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from foad.embedded_redis import EmbeddedRedis


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_health(port: int, seconds: float = 60) -> dict:
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as answer:
                return json.load(answer)
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)


def test_serve_runs_every_service_on_the_embedded_redis_and_stops_on_sigterm(tmp_path: Path):
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env["FOAD_DATA_DIR"] = str(tmp_path / "data")
    subprocess.run([sys.executable, "-m", "foad", "db", "upgrade"], env=env, check=True,
                   capture_output=True, timeout=120)
    port = free_port()
    engine = subprocess.Popen([sys.executable, "-m", "foad", "serve", "--port", str(port)], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        assert wait_for_health(port) == {"database": "ok", "redis": "ok"}
        assert EmbeddedRedis(tmp_path / "data").alive()
    finally:
        engine.send_signal(signal.SIGTERM)
        log = engine.communicate(timeout=60)[1].decode()
    assert engine.returncode == 0, log
    assert "service started" in log and "service=worker" in log and "service=web" in log
    assert not EmbeddedRedis(tmp_path / "data").alive()
