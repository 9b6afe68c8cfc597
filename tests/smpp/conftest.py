"""The SMPP link against the local SMSC (tests/peers/smsc.py): a real `Link` bound over TCP
in a thread of the test, on the test's database and Redis; the real send and answer jobs."""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import timedelta
from typing import Iterator

import pytest

from models.runtime import Runtime
from sms.smpp.link import Link
from tests.peers.smsc import Smsc


@pytest.fixture
def smsc() -> Iterator[Smsc]:
    """A running local SMSC."""
    with Smsc() as server:
        yield server


@pytest.fixture
def settings(settings, smsc):
    """The test settings with the SMPP link configured: Iranian numbers through it, the
    rest through Twilio (not configured here: left unsent); a short wait for receipts."""
    return replace(settings, smpp=smsc.settings(receipt_wait=timedelta(seconds=1)),
                   sms_routes=(("+98", "smpp"), ("*", "twilio")))


class RunningLink:
    """A Link serving in a background thread; `stop()` ends it as SIGTERM would."""

    def __init__(self, runtime: Runtime, sessions=None, **changes) -> None:
        self.link = Link(replace(runtime.settings.smpp, **changes), sessions or runtime.session, runtime.redis)
        self.thread = threading.Thread(target=self.link.run, daemon=True)

    def start(self) -> "RunningLink":
        self.thread.start()
        assert self.link.bound.wait(10), "the link did not bind"
        return self

    def stop(self) -> None:
        self.link.stop.set()
        self.thread.join(30)
        assert not self.thread.is_alive(), "the link did not stop"


@pytest.fixture
def link(runtime, smsc) -> Iterator[Link]:
    """The link, bound to the local SMSC for the test."""
    running = RunningLink(runtime).start()
    yield running.link
    running.stop()
