"""`foad web` under attack over real sockets: slow and lying request bodies that would hold
its workers, and instances on one machine stepping on each other's control socket."""

from __future__ import annotations

import select
import socket
import time

import pytest

from tests.security.web import foad_web

BODY_TIMEOUT = 2
"""FOAD_WEB_BODY_TIMEOUT in these tests (10 s in service)."""
SLOW_CLIENTS = 6
"""More than `foad web`'s two workers: with one request per worker they would all be held."""
PATIENCE = 10.0
"""Seconds a test waits for an answer that should come (the body timeout and some)."""


@pytest.fixture
def web(settings, runtime, tmp_path):
    with foad_web(settings, tmp_path / "web", FOAD_WEB_BODY_TIMEOUT=str(BODY_TIMEOUT)) as running:
        running.health(timeout=PATIENCE * 3)  # the workers are up
        yield running


def post_head(port: int, length: int) -> socket.socket:
    """A connection that has sent the head of a webhook POST announcing `length` bytes of body."""
    sock = socket.create_connection(("127.0.0.1", port))
    sock.sendall(b"POST /sms/twilio/inbound HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                 b"Content-Type: application/x-www-form-urlencoded\r\n"
                 b"Content-Length: %d\r\n\r\n" % length)
    return sock


def status_of(sock: socket.socket) -> bytes:
    """The status line the server answered on `sock` (waiting PATIENCE at most)."""
    sock.settimeout(PATIENCE)
    return sock.recv(4096).split(b"\r\n", 1)[0]


def test_bodies_that_never_come_hold_no_worker_and_get_408(web):
    slow = [post_head(web.port, 1_000_000) for _ in range(SLOW_CLIENTS)]
    try:
        assert web.health(timeout=PATIENCE) == {"database": "ok", "redis": "ok"}
        assert [status_of(sock) for sock in slow] == [b"HTTP/1.1 408 Request Timeout"] * SLOW_CLIENTS
    finally:
        for sock in slow:
            sock.close()
    assert "request body too slow" in web.text()


def test_a_body_fed_a_byte_at_a_time_is_cut_off_at_its_deadline(web):
    length = 500
    sock = post_head(web.port, length)
    sent, started = 0, time.monotonic()
    try:
        # A byte every half second: each read gets its byte in time, the whole never comes.
        while sent < length and not select.select([sock], [], [], 0.5)[0]:
            sock.sendall(b"x")
            sent += 1
        assert status_of(sock) == b"HTTP/1.1 408 Request Timeout"
    finally:
        sock.close()
    assert sent < length and time.monotonic() - started < PATIENCE


def test_a_body_larger_than_the_limit_is_refused_before_it_is_read(web):
    sock = post_head(web.port, 4_000_001)
    try:
        assert status_of(sock) == b"HTTP/1.1 413 Content Too Large"
    finally:
        sock.close()


def test_two_instances_share_no_control_socket(settings, runtime, web, tmp_path):
    with foad_web(settings, tmp_path / "second") as second:
        second.health(timeout=PATIENCE * 3)
    # gunicorn's default would put one at $XDG_RUNTIME_DIR/gunicorn.ctl (or ~/.gunicorn/),
    # the same path for every instance of the user: the second takes it, stopping it removes it.
    assert sorted(p.name for p in web.home.rglob("*")) == []
    assert web.health(timeout=PATIENCE) == {"database": "ok", "redis": "ok"}
