"""Which line a call came in on: the route's ?line=, else the number dialled, else 128."""

from __future__ import annotations

from dataclasses import replace

import pytest
from sqlalchemy import select

from ivr.lines import line_for
from ivr.peer.channel import Channel
from ivr.peer.dial import over_tcp
from ivr.peer.script import Caller, parse
from ivr.peer.setup import Setup
from models.calls import Call


def call_in(fastagi, session, *, script: str, dnid: str | None = None, extension: str = "s") -> tuple[Channel, str]:
    """A call from a UK number that hangs up at once, with the env the dialplan gave it: what
    the caller heard, and the line on its Call row."""
    setup = Setup(script=script, uniqueid=f"1795450000.{abs(hash((script, dnid, extension))) % 10**6}",
                  caller_id="+447700900123", dnid=dnid, extension=extension)
    channel = Channel(setup, Caller(parse("h")))
    over_tcp(channel, "127.0.0.1", fastagi.port)
    line = session.scalars(select(Call.line).where(Call.uniqueid == setup.uniqueid)).one()
    session.rollback()  # SQLite: a reading test session must not hold the write lock
    return channel, line


@pytest.mark.parametrize("dnid, extension, line", [
    ("+989372840000", "s", "overseas"),
    ("09372840000", "s", "overseas"),  # the trunk's national spelling
    (None, "989372840000", "overseas"),  # no DNID: the extension dialled
    ("128", "s", "128"),
    ("110", "s", "128"),  # neither of ours: 128
    (None, "s", "128"),
])
def test_without_line_in_the_route_the_number_dialled_says_it(fastagi, session, dnid, extension, line):
    channel, found = call_in(fastagi, session, script="intake", dnid=dnid, extension=extension)

    assert found == line
    assert (channel.heard[0] == "foad/language_menu") == (line == "overseas")


def test_the_route_says_it_first(fastagi, session):
    assert call_in(fastagi, session, script="intake?line=128", dnid="+989372840000")[1] == "128"


def test_the_configured_numbers_are_the_ones_matched(fastagi, session, runtime):
    runtime.settings = replace(runtime.settings, service_number="1280", overseas_number="+442071234567")

    assert call_in(fastagi, session, script="intake", dnid="+442071234567")[1] == "overseas"
    assert call_in(fastagi, session, script="intake", dnid="+989372840000")[1] == "128"
    assert call_in(fastagi, session, script="intake", dnid="۱۲۸۰")[1] == "128"


def test_the_hangup_handler_finds_the_line_the_same_way(fastagi, session):
    setup = Setup(script="hangup", uniqueid="1795450001.1", caller_id="+447700900123", dnid="+989372840000",
                  context="foad-hangup")
    over_tcp(Channel(setup, Caller([]), dead=True), "127.0.0.1", fastagi.port)

    assert session.scalars(select(Call.line).where(Call.uniqueid == "1795450001.1")).one() == "overseas"


@pytest.mark.parametrize("number, line", [
    ("128", "128"), ("۱۲۸", "128"), ("+989372840000", "overseas"), ("00989372840000", "overseas"),
    ("0937 284 0000", "overseas"), ("129", None), ("unknown", None), ("", None), (None, None),
])
def test_any_spelling_of_our_numbers_is_recognised(number, line):
    assert line_for(number, service_number="128", overseas_number="+989372840000") == line
