"""The FastAGI server itself: who may connect, silent peers, and stopping with calls in progress."""

from __future__ import annotations

import logging
import signal
import socket
import time
from dataclasses import replace
from ipaddress import ip_network

import pytest
from sqlalchemy import select

from foad.settings import SettingsError, read_settings
from ivr.fastagi import allowed
from ivr.peer.channel import Channel
from ivr.peer.dial import connected, over_tcp
from ivr.peer.script import Caller, parse
from ivr.peer.setup import Setup
from models.calls import Call
from tests.ivr.midcall import prompting, row_of, wait_until


def allow(runtime, value: str) -> None:
    """Run the server as if FOAD_FASTAGI_ALLOW were `value`."""
    networks = read_settings({"FOAD_DATA_DIR": str(runtime.settings.data_dir),
                                  "FOAD_FASTAGI_ALLOW": value}).fastagi_allow
    runtime.settings = replace(runtime.settings, fastagi_allow=networks)


def test_a_peer_outside_the_allow_list_is_closed_at_once_and_logged(fastagi, runtime, session, caplog):
    allow(runtime, "10.20.30.40, 192.168.0.0/16")
    with socket.create_connection(("127.0.0.1", fastagi.port), timeout=5) as sock:
        assert sock.recv(100) == b""  # closed before it said anything

    channel = Channel(Setup(script="intake?line=128", uniqueid="1795460000.1"), Caller(parse("1")))
    over_tcp(channel, "127.0.0.1", fastagi.port, timeout=5)
    assert channel.commands == 0
    assert session.scalars(select(Call)).all() == []
    refused = [r for r in caplog.records if r.getMessage().startswith("FastAGI connection refused")]
    assert [r.peer for r in refused] == ["127.0.0.1", "127.0.0.1"]


def test_a_peer_on_the_allow_list_is_served(dial, runtime):
    allow(runtime, "10.20.30.40, 127.0.0.0/8")

    assert dial("02188776655", "1 3 2 # 1").digits_said  # the whole call went through


def test_without_an_allow_list_anyone_who_reaches_the_port_is_served(dial, runtime):
    assert runtime.settings.fastagi_allow == ()
    assert dial("02188776655", "1 3 2 # 1").digits_said


@pytest.mark.parametrize("address, networks, served", [
    ("10.0.0.5", "10.0.0.5", True),
    ("10.0.0.6", "10.0.0.5", False),
    ("10.1.200.3", "10.0.0.5, 10.1.0.0/16", True),
    ("::ffff:10.0.0.5", "10.0.0.5", True),  # an IPv4 peer on a dual-stack socket
    ("::1", "127.0.0.1", False),
    ("::1", "::1", True),
    ("203.0.113.9", "", True),
])
def test_the_allow_list_matches_addresses_and_networks(address, networks, served):
    parsed = read_settings({"FOAD_DATA_DIR": "/tmp/foad-unused", "FOAD_FASTAGI_ALLOW": networks}).fastagi_allow
    assert allowed(address, parsed) is served


def test_a_bad_allow_list_is_refused_at_start():
    with pytest.raises(SettingsError, match="FOAD_FASTAGI_ALLOW"):
        read_settings({"FOAD_DATA_DIR": "/tmp/foad-unused", "FOAD_FASTAGI_ALLOW": "10.0.0.5, asterisk.local"})


def test_the_settings_parse_networks():
    assert read_settings({"FOAD_DATA_DIR": "/tmp/foad-unused", "FOAD_FASTAGI_ALLOW": " 10.0.0.5 ,10.1.0.0/16"}
                             ).fastagi_allow == (ip_network("10.0.0.5/32"), ip_network("10.1.0.0/16"))


def test_a_peer_silent_past_the_timeout_ends_its_call_as_a_hangup(fastagi, runtime, session, caplog):
    runtime.settings = replace(runtime.settings, fastagi_timeout=0.5)
    channel = Channel(Setup(script="intake?line=128", uniqueid="1795460000.2", caller_id="02188776655"),
                      Caller(parse("1 3 2 #")))
    with connected(channel, "127.0.0.1", fastagi.port) as driver:
        assert driver.run(until=prompting("review_menu"))  # the take is made; Asterisk goes quiet
        start = time.monotonic()
        assert driver.lines.readline(10) == b""  # the engine gave up on us and closed
        waited = time.monotonic() - start

    assert 0.4 < waited < 5
    row = wait_until(lambda: (r := row_of(session, "1795460000.2")) is not None and r.ticket and r)
    assert row.progress == "review" and row.ticket.voice_path == row.voice_path  # nothing lost
    assert wait_until(lambda: fastagi.open_connections == 0)
    assert "no word from Asterisk" in caplog.text


def test_a_peer_silent_inside_its_env_block_is_closed_after_the_timeout(fastagi, runtime, session, caplog):
    caplog.set_level(logging.INFO, logger="ivr.fastagi")
    runtime.settings = replace(runtime.settings, fastagi_timeout=0.5)
    block = Setup(script="intake?line=128", uniqueid="1795460000.3").env_block()
    with socket.create_connection(("127.0.0.1", fastagi.port), timeout=10) as sock:
        sock.sendall(block[:120])
        assert sock.recv(100) == b""

    assert row_of(session, "1795460000.3") is None
    assert "connection closed before its AGI env was complete" in caplog.text
    assert not any(r.exc_info for r in caplog.records)  # no traceback: an ordinary end
    assert wait_until(lambda: fastagi.open_connections == 0)


def test_sigterm_does_not_wait_on_a_stuck_peer(engine_process, session):
    server, port = engine_process(FOAD_FASTAGI_STOP_GRACE="1")  # the timeout stays 300 s
    channel = Channel(Setup(script="intake?line=128", uniqueid="1795460000.4", caller_id="02188776655"),
                      Caller(parse("1 3 2 #")))
    with connected(channel, "127.0.0.1", port) as driver:
        assert driver.run(until=prompting("review_menu"))  # and then never answers
        start = time.monotonic()
        server.send_signal(signal.SIGTERM)
        logs = server.communicate(timeout=30)[1]
        stopped = time.monotonic() - start

    assert server.returncode == 0 and stopped < 10, logs
    assert "cutting off calls still open at shutdown" in logs
    row = row_of(session, "1795460000.4")
    assert row.progress == "review" and row.ticket is not None  # cut off as a hang-up: the take became a ticket
