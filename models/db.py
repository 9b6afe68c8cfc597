"""Engines and sessions, with the SQLite settings that make it safe for several processes."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Mapping, TypeVar

from sqlalchemy import Connection, Engine, Row, Table, Update, bindparam, create_engine, event, inspect, update
from sqlalchemy.sql.base import Executable
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, SessionTransaction, make_transient_to_detached, sessionmaker
from sqlalchemy.orm.attributes import instance_state, set_committed_value
from sqlalchemy.orm.instrumentation import manager_of_class

from models import outbox
from models.lean import Lean, all_rows


def make_engine(url: str, **options: object) -> Engine:
    """An engine for `url`; `postgresql://` gets the psycopg 3 driver we ship."""
    parsed = make_url(url)
    if parsed.drivername in ("postgres", "postgresql"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.drivername.startswith("sqlite"):
        engine = create_engine(parsed, connect_args={"timeout": 30}, **options)
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin_immediate)
        return engine
    # No pre-ping: it is a round trip on every checkout (a third of a job's). A connection
    # the server dropped fails its next statement instead; SQLAlchemy then discards the
    # whole pool, and the job's retry (or the citizen's next request) finds a fresh one.
    # Recycling after an hour keeps idle connections from outliving firewalls' timeouts.
    return create_engine(parsed, pool_recycle=3600, **options)


DATABASE_FILE_MODE = 0o600
"""A SQLite database file holds every complaint and number: its owner alone reads it."""


def protect_sqlite_file(url: str) -> None:
    """For a SQLite database: make its file, when missing, readable by this user only (SQLite
    gives its -wal and -shm files the same mode); when present, take away what others (not
    its group: the operator may share it) could do with it and those files."""
    parsed = make_url(url)
    if not parsed.drivername.startswith("sqlite") or parsed.database in (None, "", ":memory:"):
        return
    path = Path(parsed.database)
    try:
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, DATABASE_FILE_MODE))
    except FileExistsError:
        for each in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
            if each.exists():
                os.chmod(each, each.stat().st_mode & 0o770)


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    # Let SQLAlchemy issue BEGIN itself (see _sqlite_begin_immediate).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _sqlite_begin_immediate(connection) -> None:
    # A deferred transaction that reads then writes can fail with "database is locked"
    # without waiting; taking the write lock up front makes writers queue instead.
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def make_sessions(
    engine: Engine, on_commit: Callable[[list[outbox.Work]], None] | None = None
) -> sessionmaker[Session]:
    """A session factory; `on_commit` gets the outbox work each commit wrote."""
    sessions = sessionmaker(engine, expire_on_commit=False)
    if on_commit is not None:
        outbox.push_after_commit(sessions, on_commit)
    return sessions


def alone(engine: Engine, statement: Executable | Lean, parameters: Mapping[str, Any] | None = None) -> Row[Any] | None:
    """Run one statement (with `parameters`) on its own and return its first row (None without one).

    On PostgreSQL outside any transaction: one round trip where a transaction takes three
    (BEGIN, it, COMMIT). SQLite's round trips cost nothing: it keeps its transaction, whose
    BEGIN IMMEDIATE queues it behind other writers.
    """
    rows = alone_rows(engine, statement, parameters)
    return rows[0] if rows else None


def alone_rows(engine: Engine, statement: Executable | Lean,
               parameters: Mapping[str, Any] | None = None) -> list[Row[Any]]:
    """`alone`, with every row the statement returns ([] without any)."""
    def run(conn: Connection) -> list[Any]:
        if isinstance(statement, Lean):
            return statement.rows(conn, parameters or {})
        return all_rows(conn.execute(statement, parameters))

    if engine.dialect.name == "sqlite":
        with engine.begin() as conn:
            return run(conn)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        return run(conn)


def one_statement(session: Session) -> None:
    """Run the session's next transaction, one statement, outside a transaction on
    PostgreSQL (as `alone` does): one round trip where BEGIN, it and COMMIT take three.
    Nothing when a transaction is under way, or on SQLite (it keeps its transaction)."""
    if not session.in_transaction() and session.get_bind().dialect.name == "postgresql":
        session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})


Model = TypeVar("Model")
_ADOPTED = "adopted"
"""session.info's list of the objects `adopt` put in the session for rows its transaction
inserted, each with that transaction."""


def adopt(session: Session, cls: type[Model], row: Mapping[str, Any], *, inserted: bool = False) -> Model:
    """The `cls` object of a row a Core statement wrote or returned with every column (on a
    hot path, where the ORM's unit of work or its handling of RETURNING costs more than the
    statement), in the session as if loaded, with no SQL; its relations load when read. The
    session's own object, refreshed with the row, when it holds one.

    `inserted`: the statement inserted the row in this transaction, and a rollback of the
    transaction forgets the object, as it forgets one the ORM inserted (SQLite may give the
    next row the same id).
    """
    obj = blank(cls)
    # Straight into the new object's state, as the ORM's own loading does: values with no
    # history (set_committed_value's bookkeeping, for each column, costs more here).
    obj.__dict__.update(row)
    make_transient_to_detached(obj)
    held = session.identity_map.get(instance_state(obj).key)
    if held is not None:
        for key, value in row.items():
            set_committed_value(held, key, value)
        return held
    session.add(obj)
    if inserted:
        transaction = session.get_nested_transaction() or session.get_transaction()
        session.info.setdefault(_ADOPTED, []).append((obj, transaction))
    return obj


def blank(cls: type[Model]) -> Model:
    """A new `cls` object with no attribute set, made as the ORM makes one it loads (its
    constructor and init events skipped: nothing of them is wanted of a row's object)."""
    return manager_of_class(cls).new_instance()


def write_columns(session: Session, obj: Any, values: Mapping[str, Any]) -> None:
    """Write `values` (by attribute name) to the row of `obj`, an object the session loaded,
    by one UPDATE on its primary key (built once for each set of columns), without the ORM's
    unit of work: a hot path's one write of a row it holds. The object then holds the values
    as loaded, so no flush writes them again."""
    statement, parameters = column_update(obj, values)
    session.connection().execute(statement, parameters)
    hold_as_loaded(obj, values)


def column_update(obj: Any, values: Mapping[str, Any]) -> tuple[Update, dict[str, Any]]:
    """`write_columns`'s UPDATE and its parameters, for a statement that carries it along
    (its parameters are named `row_key` and `new_<column>`)."""
    state = inspect(obj)
    mapper = state.mapper
    columns = tuple(mapper.columns[key].key for key in values)
    statement = _update_by_key(mapper.local_table, mapper.primary_key[0].key, columns)
    return statement, {"row_key": state.identity[0],
                       **{f"new_{name}": value for name, value in zip(columns, values.values())}}


def hold_as_loaded(obj: Any, values: Mapping[str, Any]) -> None:
    """Put `values` (by attribute name) on `obj` as if loaded: no history, nothing to flush."""
    for key, value in values.items():
        set_committed_value(obj, key, value)


@lru_cache(maxsize=64)
def _update_by_key(table: Table, key: str, columns: tuple[str, ...]) -> Update:
    # Bound names apart from the columns': SQLAlchemy keeps a column's own name for itself.
    return (update(table).where(table.c[key] == bindparam("row_key"))
            .values({name: bindparam(f"new_{name}") for name in columns}))


@event.listens_for(Session, "after_soft_rollback")
def _forget_adopted(session: Session, rolled_back: SessionTransaction) -> None:
    adopted = session.info.get(_ADOPTED)
    if not adopted:
        return
    session.info[_ADOPTED] = kept = []
    for obj, transaction in adopted:
        if _inside(transaction, rolled_back):
            if obj in session:
                session.expunge(obj)
        else:
            kept.append((obj, transaction))


@event.listens_for(Session, "after_commit")
def _settled(session: Session) -> None:
    session.info.pop(_ADOPTED, None)


def _inside(transaction: SessionTransaction | None, outer: SessionTransaction) -> bool:
    while transaction is not None:
        if transaction is outer:
            return True
        transaction = transaction.parent
    return False
