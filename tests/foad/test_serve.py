"""`foad serve`: the whole engine as one process tree: it says where everything is once it
listens, and a Ctrl-C stops it in order, without a traceback."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
import urllib.request
from pathlib import Path

import pytest

from foad.embedded_redis import EmbeddedRedis
from tests.ports import free_port
from tests.worker.processes import wait_for


class Engine:
    """A `foad serve` process in a session of its own (as a terminal's foreground job is),
    its output read as it comes."""

    def __init__(self, env: dict[str, str], *args: str) -> None:
        self.process = subprocess.Popen([sys.executable, "-m", "foad", "serve", *args], env=env,
                                        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                        start_new_session=True)
        self.out: list[str] = []
        self.reader = threading.Thread(target=lambda: self.out.extend(self.process.stdout), daemon=True)
        self.reader.start()

    def ctrl_c(self) -> str:
        """What a terminal does on Ctrl-C: SIGINT to the whole foreground group; the log."""
        os.killpg(self.process.pid, signal.SIGINT)
        log = self.process.communicate(timeout=90)[1]
        self.reader.join()
        return log


@pytest.fixture
def environment(tmp_path: Path) -> dict[str, str]:
    """An operator's environment: the default SQLite and the embedded Redis, migrated."""
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env["FOAD_DATA_DIR"] = str(tmp_path / "data")
    subprocess.run([sys.executable, "-m", "foad", "db", "upgrade"], env=env, check=True,
                   capture_output=True, timeout=120)
    return env


def health(port: int) -> dict:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as answer:
        return json.load(answer)


def test_serve_says_where_everything_is_and_a_ctrl_c_stops_it_in_order(environment, tmp_path):
    port, fastagi_port = free_port(), free_port()
    engine = Engine(environment, "--port", str(port), "--fastagi-port", str(fastagi_port))
    try:
        wait_for(lambda: any("foad is ready" in line for line in engine.out), timeout=90,
                 what="the ready block")
        assert health(port) == {"database": "ok", "redis": "ok"}
        assert EmbeddedRedis(tmp_path / "data").alive()
    finally:
        log = engine.ctrl_c()
    printed = "".join(engine.out)
    assert f"console:      http://127.0.0.1:{port}/console/" in printed
    assert f"http://127.0.0.1:{port}/sms/twilio/inbound" in printed
    assert f"agi://127.0.0.1:{fastagi_port}" in printed
    assert f"sqlite:///{tmp_path / 'data' / 'foad.sqlite3'}" in printed and "embedded, unix://" in printed
    assert "no console user yet: run `foad users add NAME --role supervisor`" in printed
    assert engine.process.returncode == 0, log
    assert "Traceback" not in log, log
    stopped = re.findall(r"service stopped service=(\w+)", log)
    assert stopped == ["worker", "fastagi", "web"], log
    # RQ's upkeep and the periodic jobs that found nothing to do are DEBUG.
    assert "worker starting" in log and "cleaning registries" not in log and "outbox relay" not in log
    assert not EmbeddedRedis(tmp_path / "data").alive()


def test_the_ready_block_names_a_public_url_and_hides_passwords(settings, session):
    from dataclasses import replace

    from foad.banner import banner
    from foad.serve import Addresses
    from models.users import add_user

    add_user(session, "maryam", "supervisor", "a long enough one")
    session.commit()
    public = replace(settings, public_base_url="https://128.example.ir",
                     redis_url="redis://:s3cret@10.0.0.9:6379/2")
    printed = "\n".join(banner(public, public.redis_url, Addresses("0.0.0.0", 8000)))
    assert "console:      http://127.0.0.1:8000/console/" in printed
    assert "https://128.example.ir/sms/twilio/inbound" in printed
    assert "redis://:***@10.0.0.9:6379/2" in printed and "s3cret" not in printed
    assert "no console user yet" not in printed
