"""Counting what a run costs: SQL round trips at the driver, Redis commands and CPU at the servers.

SQL is counted in the process that sends it (statements, BEGIN, COMMIT, ROLLBACK and the
pool's pings, each one round trip to the server); `install()` counts in this process, and a
process started through `bench/counted.py` counts into files, one byte an event (appends
are atomic, and the count survives a child's `os._exit`). Redis commands and Redis's CPU
are read from the server itself, PostgreSQL backends' CPU from /proc (same machine).
"""

from __future__ import annotations

import collections
import os
from pathlib import Path
from typing import Callable

from redis import Redis
from sqlalchemy import Engine, event
from sqlalchemy.engine.default import DefaultDialect

KINDS = ("statement", "begin", "commit", "rollback", "ping")
"""What is counted; each is one round trip to the database."""

Sink = Callable[[str], None]


class SqlCounts(collections.Counter):
    """Round trips by kind, and the PostgreSQL backends' process ids seen."""

    def __init__(self) -> None:
        super().__init__()
        self.backends: set[int] = set()

    @property
    def total(self) -> int:
        """Every round trip counted."""
        return sum(self[kind] for kind in KINDS)


def install(counts: SqlCounts | None = None, sink: Sink | None = None) -> SqlCounts:
    """Count this process's SQL round trips (of every engine, made before or after) into
    `counts`, or hand each to `sink`."""
    counts = counts if counts is not None else SqlCounts()
    note: Sink = sink or (lambda kind: counts.update((kind,)))

    @event.listens_for(Engine, "before_cursor_execute")
    def _statement(*_args: object) -> None:
        note("statement")

    for kind in ("begin", "commit", "rollback"):
        event.listen(Engine, kind, lambda conn, kind=kind: _autocommit(conn) or note(kind))

    @event.listens_for(Engine, "connect")
    def _connected(dbapi_connection, _record) -> None:
        if type(dbapi_connection).__module__.startswith("psycopg"):
            with dbapi_connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                counts.backends.add(cursor.fetchone()[0])
            dbapi_connection.rollback()

    ping = DefaultDialect._do_ping_w_event

    def counted_ping(self: DefaultDialect, dbapi_connection: object) -> bool:
        note("ping")
        return ping(self, dbapi_connection)

    DefaultDialect._do_ping_w_event = counted_ping  # type: ignore[method-assign]
    return counts


def _autocommit(conn: object) -> bool:
    """True on a connection in autocommit mode: its BEGIN and ROLLBACK never reach the server."""
    try:
        return bool(conn.connection.dbapi_connection.autocommit)  # type: ignore[attr-defined]
    except AttributeError:
        return False


def file_sink(folder: Path) -> Sink:
    """A sink appending one byte an event to `folder/<kind>`: safe across processes."""
    folder.mkdir(parents=True, exist_ok=True)
    files = {kind: os.open(folder / kind, os.O_WRONLY | os.O_CREAT | os.O_APPEND) for kind in KINDS}
    return lambda kind: os.write(files[kind], b".")


def read_files(folder: Path) -> dict[str, int]:
    """What `file_sink`s counted in `folder`, by kind."""
    return {kind: (folder / kind).stat().st_size if (folder / kind).exists() else 0 for kind in KINDS}


def redis_commands(redis: Redis) -> int:
    """Commands the Redis server ran so far (INFO commandstats), INFO itself left out."""
    stats = redis.info("commandstats")
    return sum(v["calls"] for k, v in stats.items() if k not in ("cmdstat_info",))


def redis_cpu(redis: Redis) -> float:
    """CPU seconds the Redis server used so far."""
    cpu = redis.info("cpu")
    return float(cpu["used_cpu_sys"]) + float(cpu["used_cpu_user"])


def process_cpu(pids: set[int] | list[int], descendants: bool = False) -> float:
    """CPU seconds (user + system) the processes used so far, their reaped children (RQ's work
    horses, workers replaced) included, and with `descendants` their live ones too; Linux /proc.
    A process that ended is left out (its parent counts it once it reaped it; a database
    backend lives as long as the pool)."""
    total = 0.0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
            children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split() if descendants else []
        except FileNotFoundError:
            continue
        total += sum(int(f) for f in fields[11:15]) / os.sysconf("SC_CLK_TCK")  # utime stime cutime cstime
        total += process_cpu([int(child) for child in children], descendants=True)
    return total
