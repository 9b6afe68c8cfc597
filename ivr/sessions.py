"""The database lane: every piece of database work a call flow does runs here.

SQLite takes one writer at a time (our engine begins every transaction IMMEDIATE), and a
thread that finds it taken waits in SQLite's busy handler, sleeping in steps of up to
100 ms; call threads racing for a lock would also overtake each other. So on SQLite the
lane is one thread taking the work in arrival order; on PostgreSQL it is a few threads.

Work a caller need not wait for (a recording's path, the ticket itself) is started here
while Asterisk plays the next prompt (`in_background`), so the line never goes quiet while
the database works; the rest waits for its answer (`in_database`). Work on the lane must
not put more work on the lane and wait for it (with one thread, that would never end).

Work for a caller in the middle of a call goes first; a new call's start and a finished
call's end (`when_free`) wait behind it. When more calls come than the lane keeps up
with, the wait is then at the start of a call (its first prompt comes later), never in
the middle of one: a caller who pressed "submit" does not hear silence because a burst
of new calls is being answered.
"""

from __future__ import annotations

import itertools
import queue
import threading
from concurrent.futures import Future
from enum import IntEnum
from functools import partial
from typing import Any, Callable, TypeVar

from models.runtime import Runtime

T = TypeVar("T")

THREADS = {"sqlite": 1}
"""Threads on the lane by database; any other database gets DEFAULT_THREADS."""
DEFAULT_THREADS = 4


class Turn(IntEnum):
    """Which work the lane takes first (lowest first; arrival order within each)."""

    IN_CALL = 0
    """A caller is on the line: what they hear next may wait for it."""
    EDGES = 1
    """A call starting or ended: a later first prompt, or a later end record, costs no caller silence."""


class _Lane:
    """Threads taking work by its turn, then in arrival order. Daemon threads: every call
    waits for its own work (`Visit.settle`, `in_database`) and the server for its calls,
    so nothing is left on the lane when the process exits."""

    def __init__(self, threads: int, name: str) -> None:
        self._queue: queue.PriorityQueue[tuple[Turn, int, Future[Any], Callable[[], Any]]] = queue.PriorityQueue()
        self._arrivals = itertools.count()  # ties within a turn: first come, first served
        for n in range(threads):
            threading.Thread(target=self._serve, name=f"{name}_{n}", daemon=True).start()

    def submit(self, turn: Turn, work: Callable[[], T]) -> "Future[T]":
        future: Future[T] = Future()
        self._queue.put((turn, next(self._arrivals), future, work))
        return future

    def _serve(self) -> None:
        while True:
            _, _, future, work = self._queue.get()
            if not future.set_running_or_notify_cancel():
                continue
            try:
                result = work()
            except BaseException as exc:  # the waiting flow gets it, as from an executor
                future.set_exception(exc)
            else:
                future.set_result(result)


_LANES: dict[str, _Lane] = {}
_LANES_LOCK = threading.Lock()


def in_background(runtime: Runtime, work: Callable[..., T], *args: Any, **kwargs: Any) -> "Future[T]":
    """Start `work` for a call in progress on the lane of `runtime`'s database; its Future holds the result."""
    return _lane(runtime).submit(Turn.IN_CALL, partial(work, *args, **kwargs))


def in_database(runtime: Runtime, work: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run `work` for a call in progress on the lane and wait for its result (or exception)."""
    return in_background(runtime, work, *args, **kwargs).result()


def when_free(runtime: Runtime, work: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run `work` (a call's start or its end) once the lane has no work of calls in
    progress waiting, and wait for its result (or exception)."""
    return _lane(runtime).submit(Turn.EDGES, partial(work, *args, **kwargs)).result()


def _lane(runtime: Runtime) -> _Lane:
    dialect = runtime.engine.dialect.name
    with _LANES_LOCK:
        lane = _LANES.get(dialect)
        if lane is None:  # made on first use: importing does nothing
            lane = _LANES[dialect] = _Lane(THREADS.get(dialect, DEFAULT_THREADS), f"foad-{dialect}")
    return lane
