"""The runtime a service runs with: models' Runtime wired to the adapters' parts."""

from __future__ import annotations

import contextlib
from typing import Iterator

from sqlalchemy.orm import Session

from foad.embedded_redis import redis_url
from models.db import make_engine
from models.runtime import Runtime
from models.settings import Settings
from sms.providers import router
from worker.outbox import push


def make_runtime(settings: Settings, url: str) -> Runtime:
    """A runtime on `url`'s Redis whose commits queue their outbox work at once and whose
    texts go through the configured SMS providers, routed by FOAD_SMS_ROUTES."""
    return Runtime(settings, url, push=push, sms=router)


@contextlib.contextmanager
def running(settings: Settings) -> Iterator[Runtime]:
    """A runtime for a service, with the embedded Redis if REDIS_URL is unset."""
    with redis_url(settings) as url:
        rt = make_runtime(settings, url)
        try:
            yield rt
        finally:
            rt.close()


@contextlib.contextmanager
def database(settings: Settings) -> Iterator[Session]:
    """A session for a command that only reads or edits the database (no Redis needed)."""
    engine = make_engine(settings.database_url)
    try:
        with Session(engine) as session:
            yield session
    finally:
        engine.dispose()
