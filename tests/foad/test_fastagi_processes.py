"""`foad fastagi --processes N`: N servers on one port, kept running, stopped together."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Iterator

import pytest
from sqlalchemy import func, select

from ivr.peer.channel import Channel
from ivr.peer.dial import connected, place_call
from ivr.peer.script import Caller, parse
from ivr.peer.setup import Setup
from models.tickets import Ticket
from tests.foad.test_serve import metrics
from tests.ivr.midcall import prompting, row_of, wait_until
from tests.ports import free_port, wait_for_port

BIN = Path(sys.executable).parent


class Engine:
    """A running `foad fastagi --processes N` and what it is made of."""

    def __init__(self, process: subprocess.Popen, port: int, metrics_port: int) -> None:
        self.process, self.port, self.metrics_port = process, port, metrics_port

    def servers(self) -> list[int]:
        """The pids of the processes serving calls (the parent's children running foad)."""
        found = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children").read_text().split()
        return [int(pid) for pid in found if b"foad" in _cmdline(pid)]

    def stop(self) -> str:
        """SIGTERM, then its logs once it has ended."""
        self.process.send_signal(signal.SIGTERM)
        return self.process.communicate(timeout=30)[1]


def _cmdline(pid: str) -> bytes:
    """A process's command line; empty once it has ended (a zombie's is empty too)."""
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except FileNotFoundError:
        return b""


@pytest.fixture
def engine(settings) -> Iterator[Engine]:
    """`foad fastagi --processes 2` on the test's database, with its metrics served."""
    port, metrics_port = free_port(), free_port()
    env = {"DATABASE_URL": settings.database_url, "REDIS_URL": settings.redis_url or "",
           "FOAD_DATA_DIR": str(settings.data_dir), "PATH": os.environ["PATH"], "FOAD_FASTAGI_STOP_GRACE": "1"}
    process = subprocess.Popen([str(BIN / "foad"), "fastagi", "--port", str(port), "--processes", "2",
                                "--metrics-port", str(metrics_port)], env=env, stderr=subprocess.PIPE, text=True)
    running = Engine(process, port, metrics_port)
    wait_for_port(port)
    wait_for_port(metrics_port)
    wait_until(lambda: len(running.servers()) == 2)
    yield running
    if process.poll() is None:
        process.kill()
        process.communicate()


def complaint(engine: Engine, settings, n: int) -> str | None:
    """A whole complaint call from landline n; the tracking code read out, if one was."""
    placed = place_call("127.0.0.1", engine.port, caller_id=f"021887766{n:02d}", to="128", keys="1 3 2 # 1",
                        recordings_dir=settings.recordings_dir, timeout=30)
    return placed.digits_said[0] if placed.digits_said else None


def held(engine: Engine, uniqueid: str) -> Channel:
    """A call that reaches the review menu and waits there (Asterisk playing it, the caller silent)."""
    return Channel(Setup(script="intake?line=128", uniqueid=uniqueid, caller_id="02188776655"),
                   Caller(parse("1 3 2 #")))


def test_calls_at_once_are_served_and_the_metrics_count_every_process(engine, settings, session):
    with ThreadPoolExecutor(6) as pool:
        codes = list(pool.map(lambda n: complaint(engine, settings, n), range(6)))
    session.rollback()
    tickets = session.scalar(select(func.count()).select_from(Ticket))
    session.rollback()  # SQLite: no read left open while the engine writes
    assert all(codes) and tickets == 6

    with connected(held(engine, "1795470000.1"), "127.0.0.1", engine.port) as first, \
            connected(held(engine, "1795470000.2"), "127.0.0.1", engine.port) as second:
        assert first.run(until=prompting("review_menu")) and second.run(until=prompting("review_menu"))
        assert metrics(engine.metrics_port)["foad_calls_in_progress"] == 2
    assert wait_until(lambda: metrics(engine.metrics_port)["foad_calls_in_progress"] == 0)

    logs = engine.stop()
    assert engine.process.returncode == 0, logs
    assert logs.count("FastAGI process serving") == 2 and "processes=2" in logs


def test_a_process_that_hangs_strands_no_call(engine, settings, session):
    stuck, other = engine.servers()
    os.kill(stuck, signal.SIGSTOP)
    try:
        # One queue of connections for both: whatever the stopped one does not take, the other does.
        assert all(complaint(engine, settings, n) for n in range(4))
    finally:
        os.kill(stuck, signal.SIGCONT)
    engine.stop()
    assert engine.process.returncode == 0


def test_a_process_that_dies_is_replaced(engine, settings):
    dead, kept = engine.servers()
    os.kill(dead, signal.SIGKILL)
    replaced = wait_until(lambda: (found := engine.servers()) and len(found) == 2 and dead not in found and found)
    assert kept in replaced
    os.kill(kept, signal.SIGSTOP)  # so the new one must serve it
    try:
        assert complaint(engine, settings, 1)
    finally:
        os.kill(kept, signal.SIGCONT)

    logs = engine.stop()
    assert "a FastAGI process ended; starting another in its place" in logs and "signal 9 (SIGKILL)" in logs
    assert engine.process.returncode == 0


def test_sigterm_ends_every_process_after_its_calls_within_the_grace(engine, session):
    servers = engine.servers()
    with connected(held(engine, "1795470000.3"), "127.0.0.1", engine.port) as driver:
        assert driver.run(until=prompting("review_menu"))  # and then never answers
        logs = engine.stop()

    assert engine.process.returncode == 0, logs
    assert "cutting off calls still open at shutdown" in logs and "FastAGI stopped: every process has ended" in logs
    assert not any(Path(f"/proc/{pid}").exists() for pid in servers)
    row = row_of(session, "1795470000.3")
    assert row.progress == "review" and row.ticket is not None  # cut off as a hang-up: the take became a ticket
