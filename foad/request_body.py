"""Request bodies read whole before the app runs, within a size and a time, so that a slow or
lying client cannot hold a worker thread.

A client may announce a large Content-Length and send nothing, or send a byte every few
seconds. Read on demand by the view, such a body would hold the thread serving it for as long
as the client likes. Here the body is read first, into memory (it is at most
FOAD_WEB_MAX_BODY_BYTES): under gunicorn, each wait for bytes may last FOAD_WEB_BODY_TIMEOUT
seconds at most (the socket's timeout), and the whole body must arrive within that time plus
what it needs at MIN_RATE (a watchdog thread then stops the reading). A body too large is refused before a byte of it is read (413); one too
slow gets 408, one cut short 400 (and the server closes the connection: what is left of the
body is never read).
"""

from __future__ import annotations

import heapq
import io
import itertools
import logging
import socket
import threading
import time
from typing import Callable, Iterable

log = logging.getLogger(__name__)

MIN_RATE = 32 * 1024
"""Bytes a second a body must at least arrive at (256 kbit/s, a poor mobile link)."""
READ_SIZE = 64 * 1024

App = Callable[[dict, Callable], Iterable[bytes]]


class TooSlow(Exception):
    """The body did not arrive within its time."""


class WholeBodies:
    """WSGI middleware: the body read whole, on time and within the size, before `app` runs."""

    def __init__(self, app: App, *, max_bytes: int, timeout: float) -> None:
        self.app, self.max_bytes, self.timeout = app, max_bytes, timeout

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        """Serve one request, its body (if any) read first."""
        raw_length = environ.get("CONTENT_LENGTH") or ""
        chunked = "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower()
        if not raw_length.strip("0") and not chunked:
            return self.app(environ, start_response)  # no body: nothing to wait for
        if not chunked and not (raw_length.isascii() and raw_length.isdigit()):
            return _refuse(start_response, "400 Bad Request", "bad Content-Length")
        length = None if chunked else _length(raw_length, self.max_bytes)
        if length is not None and length > self.max_bytes:
            return _refuse(start_response, "413 Content Too Large", "request body too large")
        try:
            body = self._read(environ, length)
        except TooSlow:
            log.warning("request body too slow: refused", extra={"path": environ.get("PATH_INFO", "")[:200]})
            return _refuse(start_response, "408 Request Timeout", "request body too slow")
        if len(body) > self.max_bytes:
            return _refuse(start_response, "413 Content Too Large", "request body too large")
        if length is not None and len(body) < length:
            return _refuse(start_response, "400 Bad Request", "request body cut short")
        environ["wsgi.input"], environ["CONTENT_LENGTH"] = io.BytesIO(body), str(len(body))
        environ.pop("HTTP_TRANSFER_ENCODING", None)
        return self.app(environ, start_response)

    def _read(self, environ: dict, length: int | None) -> bytes:
        """The body (for a chunked one, up to one byte past the limit); TooSlow past its time."""
        stream, sock = environ["wsgi.input"], environ.get("gunicorn.socket")
        wanted = self.max_bytes + 1 if length is None else length
        deadline = time.monotonic() + self.timeout + wanted / MIN_RATE
        watch = WATCHDOG.watch(sock, deadline) if sock is not None else None
        parts, got = [], 0
        try:
            while got < wanted:
                if sock is not None:
                    sock.settimeout(self.timeout)  # for each wait for bytes
                part = stream.read(min(READ_SIZE, wanted - got))
                if not part:
                    break
                parts.append(part)
                got += len(part)
        except TimeoutError:  # the socket's: no byte for too long
            raise TooSlow() from None
        finally:
            if watch is not None:
                watch.cancel()
            if sock is not None:
                sock.settimeout(None)  # as gunicorn had it, for writing the answer
        if got < wanted and time.monotonic() >= deadline:
            raise TooSlow()
        return b"".join(parts)


class _Watch:
    """One socket whose reading is to stop at a deadline, unless cancelled first."""

    __slots__ = ("sock", "cancelled")

    def __init__(self, sock: socket.socket) -> None:
        self.sock, self.cancelled = sock, False

    def cancel(self) -> None:
        """The body came in time: leave the socket alone."""
        self.cancelled = True


class Watchdog:
    """Stops the reading of sockets past their deadline: gunicorn reads a body until it has as
    much as was asked for, so a client sending a byte now and then would never let one read
    end. Shutting the reading side makes the waiting read end at once, empty; the answer can
    still be written. One thread per process for every request (a timer thread per request
    would cost more than the webhook's own work)."""

    def __init__(self) -> None:
        self._due: list[tuple[float, int, _Watch]] = []
        self._order = itertools.count()
        self._wake = threading.Condition()
        self._thread: threading.Thread | None = None

    def watch(self, sock: socket.socket, deadline: float) -> _Watch:
        """Stop reading `sock` at `deadline` (time.monotonic()) unless the watch is cancelled."""
        watch = _Watch(sock)
        with self._wake:
            heapq.heappush(self._due, (deadline, next(self._order), watch))
            if self._thread is None or not self._thread.is_alive():  # none yet, or a forked copy
                self._thread = threading.Thread(target=self._run, name="body-watchdog", daemon=True)
                self._thread.start()
            if self._due[0][2] is watch:  # earlier than what the thread waits for
                self._wake.notify()
        return watch

    def _run(self) -> None:
        while True:
            with self._wake:
                while self._due and self._due[0][2].cancelled:
                    heapq.heappop(self._due)
                if not self._due:
                    self._wake.wait()
                    continue
                deadline, _order, watch = self._due[0]
                if deadline > time.monotonic():
                    self._wake.wait(deadline - time.monotonic())
                    continue
                heapq.heappop(self._due)
            try:
                watch.sock.shutdown(socket.SHUT_RD)
            except OSError:
                pass  # closed meanwhile


WATCHDOG = Watchdog()
"""This process's watchdog (its thread starts with the first body it watches)."""


def _length(digits: str, max_bytes: int) -> int:
    """A Content-Length's value; past any limit, just "too large" (int() of thousands of
    digits is refused by Python itself)."""
    digits = digits.lstrip("0") or "0"
    return int(digits) if len(digits) <= len(str(max_bytes)) else max_bytes + 1


def _refuse(start_response: Callable, status: str, text: str) -> list[bytes]:
    """A short plain answer; the server closes the connection, whose body is left unread."""
    body = f"{text}\n".encode()
    start_response(status, [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(body)))])
    return [body]
