"""Database sessions for call flows: short ones, and on SQLite one at a time.

SQLite takes one writer at a time, and our engine begins every transaction IMMEDIATE. A
thread that finds it taken waits in SQLite's busy handler, which sleeps in steps of up to
100 ms: with many calls in one FastAGI process that is where a caller's silence would come
from. Threads of this process queue on a lock instead, and get the database the moment it
is free. PostgreSQL needs none of this.
"""

from __future__ import annotations

import contextlib
import threading
from typing import Iterator

from sqlalchemy.orm import Session

from foad.runtime import Runtime

_SQLITE = threading.Lock()


@contextlib.contextmanager
def session_for(runtime: Runtime) -> Iterator[Session]:
    """A session of `runtime`, serialised within this process when the database is SQLite."""
    gate = _SQLITE if runtime.engine.dialect.name == "sqlite" else contextlib.nullcontext()
    with gate, runtime.session() as session:
        yield session
