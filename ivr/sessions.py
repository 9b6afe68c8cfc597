"""Database work for call flows: short sessions, on SQLite one at a time, and in the background
while the caller is listening to something.

SQLite takes one writer at a time, and our engine begins every transaction IMMEDIATE. A
thread that finds it taken waits in SQLite's busy handler, which sleeps in steps of up to
100 ms: with many calls in one FastAGI process that is where a caller's silence would come
from. Threads of this process queue on a lock instead, and get the database the moment it
is free. PostgreSQL needs none of this.

Writes a caller need not wait for (a recording's path, the ticket itself) run on a small
pool of threads while Asterisk plays the next prompt, so the line never goes quiet while
the database works.
"""

from __future__ import annotations

import contextlib
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, Callable, Iterator, TypeVar

from sqlalchemy.orm import Session

from foad.runtime import Runtime

T = TypeVar("T")

BACKGROUND_THREADS = 4
"""Database writes running at once for all calls of a process (SQLite runs them in turn)."""

_SQLITE = threading.Lock()
_POOL: ThreadPoolExecutor | None = None
_POOL_LOCK = threading.Lock()


@contextlib.contextmanager
def session_for(runtime: Runtime) -> Iterator[Session]:
    """A session of `runtime`, serialised within this process when the database is SQLite."""
    gate = _SQLITE if runtime.engine.dialect.name == "sqlite" else contextlib.nullcontext()
    with gate, runtime.session() as session:
        yield session


def in_background(work: Callable[..., T], *args: Any, **kwargs: Any) -> "Future[T]":
    """Run `work` on the process's pool of database threads (made on first use)."""
    global _POOL
    with _POOL_LOCK:
        if _POOL is None:
            _POOL = ThreadPoolExecutor(BACKGROUND_THREADS, thread_name_prefix="foad-db")
    return _POOL.submit(work, *args, **kwargs)
