"""Fixtures on real things: SQLite or PostgreSQL, a real Redis, real RQ workers, the real app.

Without DATABASE_URL the suite runs on a SQLite file; with it (CI's second pass) it creates a
throwaway schema in that PostgreSQL database. Without REDIS_URL it starts the embedded Redis.
"""

from __future__ import annotations

import contextlib
import gc
import os
import sqlite3
from pathlib import Path
from typing import Any, Callable, Iterator
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import pytest
from rq import SimpleWorker
from sqlalchemy import Engine, insert, select, text, update
from sqlalchemy.orm import Session

from foad.app import create_app
from foad.embedded_redis import EmbeddedRedis
from foad.jobs import FUNCTIONS
from foad.runtime import make_runtime
from foad.settings import read_settings
from models import all as models
from models.db import make_engine
from models.runtime import Runtime, bind
from models.settings import Settings
from tests.ports import worker_number
from tests.scratch import scratch_database
from worker import context
from worker.queues import ALL
from worker.runner import Beating

def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--without-cyclic-gc", action="store_true",
        help="turn Python's cyclic garbage collector off: a test that reads an object its session "
             "still holds, after another session changed the row, then fails every time instead "
             "of only when the collector happened not to drop the object (CI's second pass)")


def pytest_configure(config: pytest.Config) -> None:
    if config.getoption("without_cyclic_gc"):
        gc.disable()


Reset = Callable[[Engine], None]
"""Puts a database back as the migrations and the sample import left it."""


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A migrated database holding the sample directory, for this test session only: a
    schema of its own on DATABASE_URL's PostgreSQL server, else a SQLite file."""
    with scratch_database(os.environ.get("DATABASE_URL"), tmp_path_factory.mktemp("db")) as url:
        yield url


@pytest.fixture(scope="session")
def reset_database(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Reset:
    """How to put the database back as the migrations and the sample import left it.

    The timeline's triggers refuse DELETE on ticket_events, so no reset deletes rows: SQLite
    gets a snapshot copied back over it (the backup API writes pages and runs no statement),
    PostgreSQL truncates (TRUNCATE fires no row trigger) and gets the reference rows back.
    """
    engine = make_engine(database_url)
    try:
        if engine.dialect.name == "sqlite":
            return _snapshot(engine, tmp_path_factory.mktemp("pristine") / "pristine.sqlite3")
        return _reloader(_reference_rows(engine))
    finally:
        engine.dispose()


def _snapshot(engine: Engine, path: Path) -> Reset:
    with contextlib.closing(sqlite3.connect(path)) as copy, _sqlite(engine) as live:
        live.backup(copy)

    def reset(target: Engine) -> None:
        with contextlib.closing(sqlite3.connect(path)) as copy, _sqlite(target) as live:
            copy.backup(live)

    return reset


@contextlib.contextmanager
def _sqlite(engine: Engine) -> Iterator[sqlite3.Connection]:
    """The engine's own sqlite3 connection (its pragmas and busy timeout set)."""
    with contextlib.closing(engine.raw_connection()) as pooled:
        yield pooled.driver_connection


def _reference_rows(engine: Engine) -> dict[str, list[dict[str, Any]]]:
    """Every row the migrations and the sample import wrote."""
    with engine.connect() as conn:
        rows = {t.name: [dict(r._mapping) for r in conn.execute(select(t).order_by(*t.primary_key))]
                for t in models.Base.metadata.sorted_tables}
    return {name: found for name, found in rows.items() if found}


@pytest.fixture(scope="session")
def redis_server_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """REDIS_URL's server if given, else an embedded Redis for the session (and the worker).

    The tests flush their Redis database: under pytest-xdist worker N takes database
    (REDIS_URL's number + N) of that server, so no worker flushes another's."""
    given = os.environ.get("REDIS_URL")
    if given:
        yield worker_database(given, worker_number())
        return
    server = EmbeddedRedis(tmp_path_factory.mktemp("redis")).start()
    yield server.url
    server.stop()


def worker_database(url: str, number: int) -> str:
    """`url` with its database number moved up by `number` (redis://h:6379/0, 2 → …/2)."""
    parts = urlsplit(url)
    if parts.scheme == "unix":
        query = dict(parse_qsl(parts.query))
        query["db"] = str(int(query.get("db", 0)) + number)
        return f"unix://{parts.path}?{urlencode(query)}"
    return urlunsplit(parts._replace(path=f"/{int(parts.path.strip('/') or 0) + number}"))


@pytest.fixture
def settings(tmp_path: Path, database_url: str, redis_server_url: str) -> Settings:
    """Settings as an entry point would build them, on the test database and Redis."""
    env = {"FOAD_DATA_DIR": str(tmp_path / "data"), "DATABASE_URL": database_url,
           "REDIS_URL": redis_server_url, "FOAD_SECRET_KEY": "test-secret"}
    return read_settings(env)


@pytest.fixture
def runtime(settings: Settings, reset_database: Reset) -> Iterator[Runtime]:
    """A runtime on the database as migrated with the sample directory, and an emptied Redis."""
    rt = make_runtime(settings, settings.redis_url or "")
    rt.redis.flushdb()
    reset_database(rt.engine)
    bind(rt)
    context.bind_jobs(FUNCTIONS)
    yield rt
    rt.close()


def _reloader(reference: dict[str, list[dict[str, Any]]]) -> Reset:
    def reset(engine: Engine) -> None:
        tables = models.Base.metadata.sorted_tables
        names = ", ".join(f'"{t.name}"' for t in tables)
        with engine.begin() as conn:
            conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
            for table in tables:
                _restore(conn, table, reference.get(table.name, []))

    return reset


def _restore(conn, table, rows: list[dict[str, Any]]) -> None:
    if not rows:
        return
    # Rows that point at rows of their own table (agency -> parent) go in without the link first.
    own = [c.name for c in table.columns if any(fk.column.table is table for fk in c.foreign_keys)]
    conn.execute(insert(table), [{**r, **{c: None for c in own}} for r in rows])
    for row in rows:
        links = {c: row[c] for c in own if row[c] is not None}
        if links:
            key = {c.name: row[c.name] for c in table.primary_key}
            conn.execute(update(table).where(*(table.c[k] == v for k, v in key.items())).values(**links))
    if "id" in table.c:
        conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                          f"(SELECT max(id) FROM \"{table.name}\"))"))


@pytest.fixture
def session(runtime: Runtime) -> Iterator[Session]:
    """A session of the test's runtime (commits push outbox rows to the real Redis)."""
    with runtime.session() as s:
        yield s


@pytest.fixture
def app(runtime: Runtime):
    """The real Flask app on the test runtime."""
    flask_app = create_app(runtime)
    flask_app.config.update(TESTING=True)
    return flask_app


@pytest.fixture
def client(app):
    """Flask's test client for `app`."""
    return app.test_client()


class BurstWorker(Beating, SimpleWorker):
    """RQ's in-process worker with `foad worker`'s bookkeeping, without its remote-command
    listener: a burst run takes no commands, and stopping that listener costs a second per run."""

    def subscribe(self) -> None:
        """Listen for nothing."""


@pytest.fixture
def work(runtime: Runtime):
    """Run every queued job to the end with a real (in-process) RQ worker."""

    def _work(queues: tuple[str, ...] = ALL) -> bool:
        return BurstWorker(list(queues), connection=runtime.redis).work(burst=True)

    return _work
