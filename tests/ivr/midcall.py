"""Helpers for tests that act in the middle of a call: stop at a prompt, wait for a server
thread, kill the engine once the take is saved.

On SQLite the test's session must hold no transaction while the engine writes: every read
here ends its transaction before it returns a yes or no.
"""

from __future__ import annotations

import subprocess
import time
from typing import Callable, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from ivr.peer.channel import Channel
from ivr.peer.dial import connected
from models.calls import Call

T = TypeVar("T")


def prompting(prompt: str) -> Callable[[bytes], bool]:
    """`Driver.run(until=…)` for the command that plays `prompt` ("review_menu")."""
    return lambda line: f'"foad/{prompt}"'.encode() in line


def wait_until(check: Callable[[], T], seconds: float = 10.0) -> T:
    """`check()` once it is true (a server thread finishing a call), else AssertionError."""
    deadline = time.monotonic() + seconds
    while not (found := check()):
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)
    return found


def row_of(session: Session, uniqueid: str) -> Call | None:
    """The call's row, fresh (its read's transaction stays open: read it last)."""
    session.rollback()
    return session.scalars(select(Call).where(Call.uniqueid == uniqueid)).one_or_none()


def has_take(session: Session, uniqueid: str) -> bool:
    """True once the call's take is on its row."""
    row = row_of(session, uniqueid)
    found = row is not None and row.voice_path is not None
    session.rollback()
    return found


def kill_after_the_take(engine: subprocess.Popen, port: int, channel: Channel, session: Session) -> None:
    """Play `channel` against the engine process up to the review menu, wait for its take to
    be on the call row, then SIGKILL the engine (nothing of it runs on) and let Asterisk see
    the connection close."""
    with connected(channel, "127.0.0.1", port) as driver:
        assert driver.run(until=prompting("review_menu"))
        wait_until(lambda: has_take(session, channel.setup.uniqueid))
        engine.kill()
        engine.wait()
        assert driver.run() is None
