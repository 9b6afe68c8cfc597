"""Password throttling: after too many tries for one name, from one address, or at one user's
password page, the form says to wait and checks no password until the window has passed.

Each try is counted before its password is checked, in one Redis transaction (SET NX with
the window, INCR, TTL), and the count it got decides: five tries at once get the counts 1 to
5 and a sixth gets 6, however they interleave. (Checking first and counting after let every
try that checked before the others had counted through.) A right password takes its own try
back, so only wrong ones add up.
"""

from __future__ import annotations

import logging
from contextlib import contextmanager
from datetime import timedelta
from typing import Iterator, Sequence

from redis import Redis
from redis.exceptions import RedisError

log = logging.getLogger(__name__)

WINDOW = timedelta(minutes=15)
"""How long tries are remembered, from the first of a run of them."""
MAX_PER_NAME = 5
"""Wrong passwords for one user name within WINDOW before it has to wait."""
MAX_PER_ADDRESS = 20
"""Wrong passwords from one address within WINDOW: higher, as an office shares one behind NAT."""
MAX_PER_PASSWORD_PAGE = 5
"""Wrong current passwords at one user's password page within WINDOW (a left-open session)."""
PREFIX = "foad:login-failures"
GIVE_BACK = "if redis.call('exists', KEYS[1]) == 1 then return redis.call('decr', KEYS[1]) end return 0"
"""Take one try back from a count, unless its window ended meanwhile (a bare DECR would then
make a count that never expires)."""

Counter = tuple[str, int]
"""A Redis key and how many tries it allows in a window."""


def login_counters(name: str, address: str | None) -> tuple[Counter, Counter]:
    """The counters a log-in try goes against: its name's and its address's."""
    return ((f"{PREFIX}:name:{name.strip().lower()[:80]}", MAX_PER_NAME),
            (f"{PREFIX}:address:{address or '-'}", MAX_PER_ADDRESS))


def password_counters(user_id: int) -> tuple[Counter]:
    """The counter a try at the current password on one user's password page goes against."""
    return ((f"{PREFIX}:password:{user_id}", MAX_PER_PASSWORD_PAGE),)


def attempt(redis: Redis, counters: Sequence[Counter]) -> int:
    """Count one try against each counter: 0 to go ahead, else the seconds to wait (the try
    is not to be checked at all).

    With Redis unreachable nobody waits (the log says so): the password check still stands.
    """
    found: list = []
    with _unless_redis_fails(), redis.pipeline(transaction=True) as pipe:
        for key, _limit in counters:
            pipe.set(key, 0, ex=WINDOW, nx=True)  # the window starts at the first try
            pipe.incr(key)
            pipe.ttl(key)
        found = pipe.execute()
    tries = zip(counters, found[1::3], found[2::3])
    return max((max(int(ttl), 1) for (_key, limit), count, ttl in tries if int(count) > limit), default=0)


def succeeded(redis: Redis, forget: Sequence[Counter], give_back: Sequence[Counter] = ()) -> None:
    """A right password: forget the counts of `forget` (the name's tries) and take this try
    back from `give_back` (the address's: others may be guessing from it)."""
    with _unless_redis_fails(), redis.pipeline(transaction=True) as pipe:
        for key, _limit in forget:
            pipe.delete(key)
        for key, _limit in give_back:
            pipe.eval(GIVE_BACK, 1, key)
        pipe.execute()


@contextmanager
def _unless_redis_fails() -> Iterator[None]:
    try:
        yield
    except RedisError as exc:
        log.warning("password throttle unavailable", extra={"error": str(exc)})
