"""Races made deterministic: the test holds rows (or SQLite's write lock) so that answer jobs
meet a transaction in flight, and knows when they wait for it."""

from __future__ import annotations

import contextlib
import sqlite3
from typing import Iterator

from sqlalchemy import Connection, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from models.runtime import Runtime
from tests.worker.processes import wait_for


@contextlib.contextmanager
def messages_held(runtime: Runtime, *ids: int) -> Iterator[int | None]:
    """Hold inbound messages as a transaction that locked them would: their rows on
    PostgreSQL (yields its backend's pid), the one write lock on SQLite, which every
    transaction here takes first (yields None)."""
    if runtime.engine.dialect.name == "sqlite":
        connection = sqlite3.connect(make_url(runtime.settings.database_url).database, timeout=30)
        connection.isolation_level = None
        connection.execute("BEGIN IMMEDIATE")
        try:
            yield None
        finally:
            connection.execute("ROLLBACK")
            connection.close()
        return
    with runtime.engine.connect() as connection:
        for message_id in ids:
            connection.execute(text("SELECT id FROM messages WHERE id = :id FOR UPDATE"), {"id": message_id})
        yield backend_pid(connection)
        connection.rollback()


def backend_pid(holder: Connection | Session) -> int | None:
    """The PostgreSQL backend serving `holder` (None on SQLite)."""
    bind = holder.get_bind() if isinstance(holder, Session) else holder
    if bind.dialect.name == "sqlite":
        return None
    return holder.execute(text("SELECT pg_backend_pid()")).scalar()


def wait_until_waiting(runtime: Runtime, holder: int | None, count: int) -> None:
    """Return once `count` transactions wait, directly or behind one another, for the
    PostgreSQL backend `holder`. On SQLite (`holder` None) at once: a job's transaction
    begins by taking the write lock the test holds, so it cannot get past it anyway."""
    if holder is None:
        return
    with runtime.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as probe:
        wait_for(lambda: len(_waiting_on(probe, holder)) >= count, timeout=30,
                 what=f"{count} transaction(s) waiting for the test's lock")


def _waiting_on(probe: Connection, holder: int) -> set[int]:
    """Backends whose lock waits lead back to `holder` (pg_locks is read live)."""
    rows = probe.execute(text("SELECT DISTINCT pid, pg_blocking_pids(pid) FROM pg_locks "
                              "WHERE NOT granted")).all()
    blockers = {pid: set(by) for pid, by in rows}
    found: set[int] = set()
    while True:
        more = {pid for pid, by in blockers.items() if pid not in found and by & (found | {holder})}
        if not more:
            return found
        found |= more
