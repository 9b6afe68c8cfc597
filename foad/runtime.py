"""What an entry point builds once from its settings: the database, its sessions and Redis."""

from __future__ import annotations

import os

from redis import Redis
from redis.backoff import NoBackoff
from redis.retry import Retry
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from foad.settings import Settings
from models.db import make_engine, make_sessions
from worker.outbox import Pusher


class Runtime:
    """The engine, session factory and Redis connection of one process.

    Sessions push the outbox rows they commit to RQ; if Redis is down the rows wait for
    the relay. After a fork (RQ's work horse) the child must not share pooled connections:
    `for_this_process()` gives it its own.
    """

    def __init__(self, settings: Settings, redis_url: str) -> None:
        self.settings = settings
        self.redis_url = redis_url
        self.engine: Engine = make_engine(settings.database_url)
        # One quick retry: a commit must not wait seconds on a Redis that is down (the
        # outbox relay queues the work later).
        self.redis: Redis = Redis.from_url(redis_url, socket_timeout=5, socket_connect_timeout=2,
                                           retry=Retry(NoBackoff(), 1))
        self.sessions: sessionmaker[Session] = make_sessions(
            self.engine, on_commit=Pusher(self.redis)
        )
        self._pid = os.getpid()

    def session(self) -> Session:
        """A new session; use it as a context manager."""
        return self.for_this_process().sessions()

    def for_this_process(self) -> "Runtime":
        """Itself, after dropping connections inherited from a parent process."""
        if self._pid != os.getpid():
            # Connections are sockets shared with the parent: leave them to it.
            self.engine.dispose(close=False)
            self.redis.connection_pool.reset()
            self._pid = os.getpid()
        return self

    def close(self) -> None:
        """Close pooled connections."""
        self.engine.dispose()
        self.redis.close()
