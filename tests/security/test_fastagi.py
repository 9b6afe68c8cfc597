"""FastAGI under attack: a peer (or a forged caller name) sending lines Asterisk never sends,
to fill the server's memory or hold a call thread."""

from __future__ import annotations

import socket

import pytest

from ivr.agi import AgiCall
from ivr.agienv import MAX_ENV, MAX_LINE
from ivr.control import Hangup
from ivr.peer.setup import Setup
from tests.ivr.conftest import fastagi  # noqa: F401  (a fixture)

PATIENCE = 10.0
"""Seconds the attacker waits to see the server hang up (its own timeout is 300)."""


def closed_by_the_server(sock: socket.socket) -> bool:
    """True when the server ends the connection within PATIENCE instead of waiting for more."""
    sock.settimeout(PATIENCE)
    try:
        while sock.recv(65536):
            pass
    except ConnectionResetError:  # closed with our bytes still unread: a reset, as good as a close
        return True
    except TimeoutError:
        return False
    return True


def test_an_endless_env_line_is_cut_off_not_buffered(fastagi):  # noqa: F811
    with socket.create_connection(("127.0.0.1", fastagi.port)) as attacker:
        attacker.sendall(b"agi_network: yes\nagi_network_script: " + b"A" * (8 * MAX_LINE))
        assert closed_by_the_server(attacker)


def test_an_env_block_padded_past_its_size_is_cut_off(fastagi):  # noqa: F811
    # A caller name that carries its own line breaks: every line short, the block endless.
    name = "\n".join(["x" * 1000] * (2 * MAX_ENV // 1000))
    block = Setup(script="intake?line=128", caller_name=name).env_block()
    with socket.create_connection(("127.0.0.1", fastagi.port)) as attacker:
        attacker.sendall(block[: 3 * MAX_ENV // 2])
        assert closed_by_the_server(attacker)


def test_a_reply_line_longer_than_asterisk_sends_ends_the_call():
    ours, theirs = socket.socketpair()
    theirs.sendall(Setup(script="intake").env_block())
    call = AgiCall.over_socket(ours)
    theirs.sendall(b"200 result=0 " + b"x" * (4 * MAX_LINE))
    with pytest.raises(Hangup):
        call.play("foad/welcome")
    assert call.hung_up
    call.close()
    ours.close()
    theirs.close()


def test_a_long_caller_name_within_asterisks_limits_still_reads(fastagi):  # noqa: F811
    name = "ن" * (MAX_LINE - 40)
    block = Setup(script="intake?line=128", caller_name=name).env_block()
    with socket.create_connection(("127.0.0.1", fastagi.port), timeout=PATIENCE) as asterisk:
        asterisk.sendall(block)
        first = asterisk.makefile("rb").readline()
    assert first.startswith((b"STREAM FILE", b"GET DATA", b"SET VARIABLE", b"ANSWER", b"EXEC", b"GET VARIABLE"))
