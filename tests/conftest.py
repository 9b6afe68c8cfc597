"""Fixtures on real things: SQLite or PostgreSQL, a real Redis, real RQ workers, the real app.

Without DATABASE_URL the suite runs on a SQLite file; with it (CI's second pass) it creates a
throwaway database on that PostgreSQL server. Without REDIS_URL it starts the embedded Redis.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Iterator

import pytest
from rq import SimpleWorker
from sqlalchemy import Engine, insert, select, text, update

from foad.app import create_app
from foad.embedded_redis import EmbeddedRedis
from foad.runtime import Runtime
from foad.settings import Settings
from models import all as models
from models.db import make_engine
from sqlalchemy.orm import Session
from tests.scratch import scratch_database
from worker import context
from worker.queues import ALL


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A migrated database holding the sample directory, for this test session only: a
    schema of its own on DATABASE_URL's PostgreSQL server, else a SQLite file."""
    with scratch_database(os.environ.get("DATABASE_URL"), tmp_path_factory.mktemp("db")) as url:
        yield url


@pytest.fixture(scope="session")
def reference_rows(database_url: str) -> dict[str, list[dict[str, Any]]]:
    """Every row the migrations and the sample import wrote, to put back before each test."""
    engine = make_engine(database_url)
    with engine.connect() as conn:
        rows = {t.name: [dict(r._mapping) for r in conn.execute(select(t).order_by(*t.primary_key))]
                for t in models.Base.metadata.sorted_tables}
    engine.dispose()
    return {name: found for name, found in rows.items() if found}


@pytest.fixture(scope="session")
def redis_server_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """REDIS_URL if given, else an embedded Redis for the session."""
    given = os.environ.get("REDIS_URL")
    if given:
        yield given
        return
    server = EmbeddedRedis(tmp_path_factory.mktemp("redis")).start()
    yield server.url
    server.stop()


@pytest.fixture
def settings(tmp_path: Path, database_url: str, redis_server_url: str) -> Settings:
    """Settings as an entry point would build them, on the test database and Redis."""
    env = {"FOAD_DATA_DIR": str(tmp_path / "data"), "DATABASE_URL": database_url,
           "REDIS_URL": redis_server_url, "FOAD_SECRET_KEY": "test-secret"}
    return Settings.from_env(env)


@pytest.fixture
def runtime(settings: Settings, reference_rows: dict[str, list[dict[str, Any]]]) -> Iterator[Runtime]:
    """A runtime on an emptied database (reference rows put back) and an emptied Redis."""
    rt = Runtime(settings, settings.redis_url or "")
    rt.redis.flushdb()
    _reset(rt.engine, reference_rows)
    context.bind(rt)
    yield rt
    rt.close()


def _reset(engine: Engine, reference: dict[str, list[dict[str, Any]]]) -> None:
    tables = models.Base.metadata.sorted_tables
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            names = ", ".join(f'"{t.name}"' for t in tables)
            conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in reversed(tables):
                conn.execute(table.delete())
        for table in tables:
            _restore(conn, table, reference.get(table.name, []))


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
    if conn.dialect.name == "postgresql" and "id" in table.c:
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


class BurstWorker(SimpleWorker):
    """RQ's in-process worker without its remote-command listener: a burst run takes no
    commands, and stopping that listener costs a second per run."""

    def subscribe(self) -> None:
        """Listen for nothing."""


@pytest.fixture
def work(runtime: Runtime):
    """Run every queued job to the end with a real (in-process) RQ worker."""

    def _work(queues: tuple[str, ...] = ALL) -> bool:
        return BurstWorker(list(queues), connection=runtime.redis).work(burst=True)

    return _work
