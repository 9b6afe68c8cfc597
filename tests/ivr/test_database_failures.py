"""A database that fails under a call: the caller hears an apology and the call ends."""

from __future__ import annotations

import os
import threading
from dataclasses import replace
from typing import Iterator

import pytest
from sqlalchemy import text

from foad.runtime import make_runtime
from ivr.fastagi import FastAgiServer
from ivr.peer.dial import connected, incoming
from models.runtime import Runtime
from tests.ivr.midcall import prompting
from tests.scratch import scratch_database


class Breakable:
    """A FastAGI server on a throwaway database of its own, whose tables a test may drop."""

    def __init__(self, runtime: Runtime, server: FastAgiServer) -> None:
        self.runtime, self.server = runtime, server

    def drop(self, table: str) -> None:
        """Break the database under the running engine."""
        with self.runtime.engine.begin() as conn:
            cascade = " CASCADE" if conn.dialect.name == "postgresql" else ""
            conn.execute(text(f"DROP TABLE {table}{cascade}"))


@pytest.fixture
def breakable(settings, tmp_path) -> Iterator[Breakable]:
    with scratch_database(os.environ.get("DATABASE_URL"), tmp_path) as url:
        rt = make_runtime(replace(settings, database_url=url), settings.redis_url or "")
        server = FastAgiServer(("127.0.0.1", 0), rt)
        thread = threading.Thread(target=server.serve_forever, args=(0.05,))
        thread.start()
        yield Breakable(rt, server)
        server.shutdown()
        server.server_close()
        thread.join()
        rt.close()


def call(breakable: Breakable, keys: str, uniqueid: str, settings):
    return incoming("127.0.0.1", breakable.server.port, caller_id="02188776655", to="128", keys=keys,
                    recordings_dir=settings.recordings_dir, uniqueid=uniqueid)


def test_a_database_down_when_the_call_starts_gets_an_apology(breakable, settings, caplog):
    breakable.drop("blocked_numbers")
    channel = call(breakable, "1 3 2 # 1", "1795480000.1", settings)
    with connected(channel, "127.0.0.1", breakable.server.port) as driver:
        driver.run()

    assert channel.heard == ["foad/sorry_technical"]
    assert channel.sent[-1] == "HANGUP"
    failed = [r for r in caplog.records if r.getMessage() == "could not start the call"]
    assert [(r.call, bool(r.exc_info)) for r in failed] == [("1795480000.1", True)]


def test_a_database_that_breaks_at_submit_gets_an_apology_and_keeps_the_take(breakable, settings, caplog):
    channel = call(breakable, "1 3 2 # 1", "1795480000.2", settings)
    with connected(channel, "127.0.0.1", breakable.server.port) as driver:
        assert driver.run(until=prompting("review_menu"))
        breakable.drop("outbox")  # the ticket's routing work can no longer be written
        driver.run()

    assert [n.removeprefix("foad/") for n in channel.heard][-3:] == ["review_menu", "submitting", "sorry_technical"]
    assert channel.sent[-1] == "HANGUP" and channel.digits_said == []
    failed = [r for r in caplog.records if r.getMessage() == "call failed"]
    assert [(r.call, r.progress, bool(r.exc_info)) for r in failed] == [("1795480000.2", "review", True)]
    with breakable.runtime.engine.connect() as conn:
        voice, ticket = conn.execute(text("SELECT voice_path, ticket_id FROM calls WHERE uniqueid = '1795480000.2'")).one()
    assert (voice, ticket) == ("voice/1795480000.2-1.wav", None)  # the take waits on the call
