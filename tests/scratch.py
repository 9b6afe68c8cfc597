"""Throwaway databases for tests and benchmarks: a schema of its own on a PostgreSQL server
(dropping a schema is instant; dropping a database waits for a checkpoint), a file on SQLite."""

from __future__ import annotations

import contextlib
import os
import uuid
from pathlib import Path
from typing import Iterator

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from models.db import make_engine
from models.directory import SAMPLE, import_csv
from models.migrate import upgrade


@contextlib.contextmanager
def scratch_database(server: str | None, folder: Path, *, sample: bool = True) -> Iterator[str]:
    """The URL of a fresh, migrated database, with the sample directory unless `sample` is off.

    `server` is a PostgreSQL URL to make it on, or None for a SQLite file in `folder`.
    """
    if not server:
        url = f"sqlite:///{folder / 'scratch.sqlite3'}"
        _prepare(url, sample)
        yield url
        return
    schema = f"foad_scratch_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    admin = make_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = make_url(server).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        _prepare(url.render_as_string(hide_password=False), sample)
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


def _prepare(url: str, sample: bool) -> None:
    upgrade(url)
    if not sample:
        return
    engine = make_engine(url)
    with Session(engine) as session:
        import_csv(session, SAMPLE)
    engine.dispose()
