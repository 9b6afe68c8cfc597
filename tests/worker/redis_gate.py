"""A pass-through TCP proxy in front of the tests' Redis that freezes one connection at a
chosen moment: the first time a client sends bytes containing `pattern`, that connection's
commands are held (not lost) until `release()`, while every other connection flows.

Give a worker process `url` as its REDIS_URL; the test keeps talking to Redis directly.
It is how a test stops a job at an exact point (say, in the push right after its commit).
"""

from __future__ import annotations

import socket
import threading

from redis.connection import parse_url

HOLD_MAX = 60.0
"""Seconds held bytes wait for `release()` at most, so that a forgotten gate opens."""


class RedisGate:
    """The proxy; use as `with RedisGate(upstream_url, b"send_sms(") as gate:`."""

    def __init__(self, upstream_url: str, pattern: bytes) -> None:
        self.pattern = pattern
        self.tripped = threading.Event()
        """Set once a client sent the pattern: that connection is held from then on."""
        self._upstream = parse_url(upstream_url)
        self._released = threading.Event()
        self._lock = threading.Lock()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._sockets: list[socket.socket] = []

    @property
    def url(self) -> str:
        """The REDIS_URL that goes through the gate (same database number)."""
        return f"redis://127.0.0.1:{self._listener.getsockname()[1]}/{self._upstream.get('db', 0)}"

    def release(self) -> None:
        """Let the held bytes through and open the gate for good."""
        self._released.set()

    def __enter__(self) -> "RedisGate":
        threading.Thread(target=self._accept, daemon=True).start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.release()
        self._listener.close()
        for sock in self._sockets:
            sock.close()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return  # closed
            upstream = self._connect()
            self._sockets += [client, upstream]
            threading.Thread(target=self._pump, args=(client, upstream, True), daemon=True).start()
            threading.Thread(target=self._pump, args=(upstream, client, False), daemon=True).start()

    def _connect(self) -> socket.socket:
        if "path" in self._upstream:
            upstream = socket.socket(socket.AF_UNIX)
            upstream.connect(self._upstream["path"])
            return upstream
        return socket.create_connection((self._upstream["host"], self._upstream["port"]))

    def _pump(self, source: socket.socket, target: socket.socket, watch: bool) -> None:
        tail = b""
        try:
            while data := source.recv(65536):
                if watch and self._trips(tail + data):
                    self._released.wait(HOLD_MAX)
                target.sendall(data)
                tail = data[-len(self.pattern):]
            target.shutdown(socket.SHUT_WR)  # pass the end on: Redis drops a dead client
        except OSError:
            target.close()

    def _trips(self, data: bytes) -> bool:
        with self._lock:
            if self.tripped.is_set() or self.pattern not in data:
                return False
            self.tripped.set()
            return True
