"""Log-in throttling: after too many wrong passwords for one name, or from one address, the
form says to wait and checks no password until the window has passed (counts kept in Redis)."""

from __future__ import annotations

import logging
from contextlib import contextmanager
from datetime import timedelta
from typing import Iterator

from redis import Redis
from redis.exceptions import RedisError

log = logging.getLogger(__name__)

WINDOW = timedelta(minutes=15)
"""How long failures are remembered, from the first of a run of them."""
MAX_PER_NAME = 5
"""Wrong passwords for one user name within WINDOW before it has to wait."""
MAX_PER_ADDRESS = 20
"""Wrong passwords from one address within WINDOW: higher, as an office shares one behind NAT."""
PREFIX = "foad:login-failures"


def _keys(name: str, address: str | None) -> tuple[tuple[str, int], ...]:
    return ((f"{PREFIX}:name:{name.strip().lower()[:80]}", MAX_PER_NAME),
            (f"{PREFIX}:address:{address or '-'}", MAX_PER_ADDRESS))


def wait_seconds(redis: Redis, name: str, address: str | None) -> int:
    """How long `name` from `address` must wait before a password is checked; 0: go ahead.

    With Redis unreachable nobody waits (the log says so): the password check still stands.
    """
    found: list = []
    with _unless_redis_fails():
        with redis.pipeline(transaction=False) as pipe:
            for key, _limit in _keys(name, address):
                pipe.get(key)
                pipe.ttl(key)
            found = pipe.execute()
    counts = zip(_keys(name, address), found[::2], found[1::2])
    return max((max(int(ttl), 1) for (_key, limit), count, ttl in counts
                if count is not None and int(count) >= limit), default=0)


def failed(redis: Redis, name: str, address: str | None) -> None:
    """Count a wrong password against the name and the address."""
    with _unless_redis_fails(), redis.pipeline() as pipe:  # MULTI: the window starts at the first
        for key, _limit in _keys(name, address):
            pipe.set(key, 0, ex=WINDOW, nx=True)
            pipe.incr(key)
        pipe.execute()


def succeeded(redis: Redis, name: str) -> None:
    """Forget the name's failures (the address's stay: others may be guessing from it)."""
    with _unless_redis_fails():
        redis.delete(_keys(name, None)[0][0])


@contextmanager
def _unless_redis_fails() -> Iterator[None]:
    try:
        yield
    except RedisError as exc:
        log.warning("log-in throttle unavailable", extra={"error": str(exc)})
