"""What every adapter works with: the database, its sessions, Redis and the SMS providers.

An entry point builds one Runtime from its settings (`foad.runtime` wires in the adapters'
parts: the outbox push, the SMS provider) and hands it down: the web app keeps it in its
extensions (`runtime_of`), the FastAGI server passes it to each call, and a worker binds it
for its jobs, which take ids and find it with `current()`.
"""

from __future__ import annotations

import os
from datetime import datetime, timezone
from typing import Any, Callable

from redis import Redis
from redis.backoff import NoBackoff
from redis.retry import Retry
from sqlalchemy import Engine
from sqlalchemy.orm import Session, scoped_session, sessionmaker

from models.base import utcnow
from models.db import make_engine, make_sessions
from models.outbox import Work
from models.providers import SmsRoutes
from models.settings import Settings

Push = Callable[[Redis, list[Work]], object]
"""Hands the outbox work a commit wrote to the queue (the workers' outbox module)."""
RoutesFactory = Callable[[Settings, Redis], SmsRoutes]
"""Builds the configured SMS providers and their routes (the SMS channel's `router`)."""
EXTENSION = "foad"
"""Where a web app keeps its runtime: `app.extensions[EXTENSION]`."""


class Runtime:
    """The engine, session factory, Redis connection and SMS providers of one process.

    Sessions push the outbox rows they commit (when a `push` is given); if Redis is down
    the rows wait for the relay. After a fork (RQ's work horse) the child must not share
    pooled connections: `for_this_process()` gives it its own.
    """

    def __init__(self, settings: Settings, redis_url: str, *, push: Push | None = None,
                 sms: RoutesFactory | None = None) -> None:
        self.settings = settings
        self.redis_url = redis_url
        self.engine: Engine = make_engine(settings.database_url)
        # One quick retry: a commit must not wait seconds on a Redis that is down (the
        # outbox relay queues the work later).
        self.redis: Redis = Redis.from_url(redis_url or "redis://", socket_timeout=5,
                                           socket_connect_timeout=2, retry=Retry(NoBackoff(), 1))
        on_commit = (lambda work: push(self.redis, work)) if push else None
        self.sessions: sessionmaker[Session] = make_sessions(self.engine, on_commit=on_commit)
        self._scoped: scoped_session[Session] = scoped_session(self.sessions)
        self._sms_factory = sms
        self._sms: SmsRoutes | None = None
        self._pid = os.getpid()

    def session(self) -> Session:
        """A new session; use it as a context manager."""
        return self.for_this_process().sessions()

    @property
    def db(self) -> scoped_session[Session]:
        """This thread's session for a unit of work such as a web request (`db()`); whoever
        started the unit ends it with `db.remove()` (the web app does, as a request ends)."""
        return self.for_this_process()._scoped

    @property
    def sms(self) -> SmsRoutes | None:
        """The configured SMS providers and their routes, built once per process; None for a
        process given none (plain AGI)."""
        runtime = self.for_this_process()
        if runtime._sms is None and runtime._sms_factory is not None:
            runtime._sms = runtime._sms_factory(runtime.settings, runtime.redis)
        return runtime._sms

    def now(self) -> datetime:
        """The moment jobs act at: the real time, or FOAD_FIXED_NOW in tests and drills."""
        fixed = self.settings.fixed_now
        return fixed.astimezone(timezone.utc) if fixed else utcnow()

    def for_this_process(self) -> "Runtime":
        """Itself, after dropping connections inherited from a parent process."""
        if self._pid != os.getpid():
            # Connections are sockets shared with the parent: leave them to it.
            self.engine.dispose(close=False)
            self.redis.connection_pool.reset()
            self._sms = None  # their HTTP connections too
            self._pid = os.getpid()
        return self

    def close(self) -> None:
        """Close pooled connections."""
        self._scoped.remove()
        self.engine.dispose()
        self.redis.close()


def runtime_of(app: Any) -> Runtime:
    """The runtime a web app was made with."""
    return app.extensions[EXTENSION]


_bound: Runtime | None = None


def bind(runtime: Runtime) -> None:
    """Make `runtime` the one this process's jobs (and its forked work horses) use."""
    global _bound
    _bound = runtime


def current() -> Runtime:
    """The bound runtime, safe to use in a forked work horse."""
    if _bound is None:
        raise RuntimeError("no runtime bound: jobs run inside `foad worker` (or a test's worker)")
    return _bound.for_this_process()
