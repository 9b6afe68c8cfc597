"""The database lane: every piece of database work a call flow does runs here.

SQLite takes one writer at a time (our engine begins every transaction IMMEDIATE), and a
thread that finds it taken waits in SQLite's busy handler, sleeping in steps of up to
100 ms; call threads racing for a lock would also overtake each other. So on SQLite the
lane is one thread taking the work in arrival order; on PostgreSQL it is a few threads.

Work a caller need not wait for (a recording's path, the ticket itself) is started here
while Asterisk plays the next prompt (`in_background`), so the line never goes quiet while
the database works; the rest waits for its answer (`in_database`). Work on the lane must
not put more work on the lane and wait for it (with one thread, that would never end).
"""

from __future__ import annotations

import threading
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, Callable, TypeVar

from models.runtime import Runtime

T = TypeVar("T")

THREADS = {"sqlite": 1}
"""Threads on the lane by database; any other database gets DEFAULT_THREADS."""
DEFAULT_THREADS = 4

_LANES: dict[str, ThreadPoolExecutor] = {}
_LANES_LOCK = threading.Lock()


def in_background(runtime: Runtime, work: Callable[..., T], *args: Any, **kwargs: Any) -> "Future[T]":
    """Start `work` on the lane of `runtime`'s database; its Future holds the result."""
    dialect = runtime.engine.dialect.name
    with _LANES_LOCK:
        lane = _LANES.get(dialect)
        if lane is None:  # made on first use: importing does nothing
            lane = _LANES[dialect] = ThreadPoolExecutor(THREADS.get(dialect, DEFAULT_THREADS),
                                                        thread_name_prefix=f"foad-{dialect}")
    return lane.submit(work, *args, **kwargs)


def in_database(runtime: Runtime, work: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run `work` on the lane and wait for its result (or exception)."""
    return in_background(runtime, work, *args, **kwargs).result()
