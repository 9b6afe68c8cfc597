"""The link's flow control: the window of PDUs sent and not yet answered, and the pace of
sending (the SMSC's TPS, slowed down while it says it is throttling or its queue is full)."""

from __future__ import annotations

import threading
import time
from concurrent.futures import Future

from sms.smpp.session import Answer, LinkDown

SLOW_FIRST, SLOW_MAX = 0.25, 8.0
"""Seconds of the first pause after a throttling answer, and of the longest (it doubles)."""


class Window:
    """PDUs written and waiting for their answer, by sequence number; at most `size` at once."""

    def __init__(self, size: int) -> None:
        self._slots = threading.BoundedSemaphore(size)
        self._waiting: dict[int, Future[Answer]] = {}
        self._lock = threading.Lock()

    def slot(self) -> threading.BoundedSemaphore:
        """A place in the window, held for one PDU and its answer (a context manager)."""
        return self._slots

    def expect(self, sequence: int) -> Future[Answer]:
        """The answer to PDU `sequence`, once it comes."""
        future: Future[Answer] = Future()
        with self._lock:
            self._waiting[sequence] = future
        return future

    def answered(self, answer: Answer) -> bool:
        """Hand an answer to whoever waits for it; False when nobody does."""
        with self._lock:
            future = self._waiting.pop(answer.sequence, None)
        if future is None:
            return False
        future.set_result(answer)
        return True

    def drop_all(self, why: str) -> int:
        """The link is gone: every waiter learns it. How many there were."""
        with self._lock:
            waiting, self._waiting = self._waiting, {}
        for future in waiting.values():
            future.set_exception(LinkDown(why))
        return len(waiting)

    @property
    def outstanding(self) -> int:
        """PDUs written and not answered yet."""
        with self._lock:
            return len(self._waiting)


class Pace:
    """At most `tps` PDUs a second (0: no limit of ours), and a pause after each throttling
    answer that doubles while they keep coming and ends with the first text taken."""

    def __init__(self, tps: float) -> None:
        self._gap = 1.0 / tps if tps > 0 else 0.0
        self._next = 0.0
        self._pause = 0.0
        self._lock = threading.Lock()

    def wait(self) -> None:
        """Block until the next PDU may go."""
        with self._lock:
            now = time.monotonic()
            at = max(now, self._next)
            self._next = at + self._gap
        if at > now:
            time.sleep(at - now)

    def slow_down(self) -> float:
        """The SMSC asked us to slow down: hold every sender back a while; how long."""
        with self._lock:
            self._pause = min(SLOW_MAX, self._pause * 2 or SLOW_FIRST)
            self._next = max(self._next, time.monotonic() + self._pause)
            return self._pause

    def taken(self) -> None:
        """The SMSC took a text: the pace is back to the TPS."""
        with self._lock:
            self._pause = 0.0
