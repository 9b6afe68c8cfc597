"""Outbox work that rides with a job instead of being a job of its own.

An RQ job costs ~60 Redis commands and a few milliseconds of CPU of RQ's bookkeeping,
more than most of our work. So the work a job's commit writes (routing writes the
official's text) runs right after it in the same worker, and the work one commit outside
a worker writes (intake: routing and the caller's code) goes as one job whose first piece
carries the rest.

Nothing is lost, and nothing runs twice at once: each rider has a marker in Redis while it
waits (RIDE_WAIT) and while it runs (its carrier's timeout and a margin). The relay leaves
alone rows whose marker exists; a carrier runs a rider that waited in the queue only after
renewing its marker (SET XX: it fails once the marker is gone, when the relay may have
queued the row). A rider the carrier's own commits wrote needs no renewal: its marker,
written during the run, lasts longer than any run can (RIDE_WAIT > every job's timeout
and the margin).
A rider that fails is queued as its own job, after the first interval of its retry policy
and with the retries that remain: the attempts are what RQ alone would have made.

Work one commit outside a worker writes (a call's intake, a text's webhook) waits in its
queue's line, a Redis list, and a drain job runs what it finds there: under load one RQ job
runs the work of many complaints, whose bookkeeping would cost more than the work. A commit
puts its work in line, then queues a drain unless one is queued and has not looked at the
line yet (its flag, DRAIN_FLAG). A drain drops the flag before it takes the first piece:
work put in line before that is taken by it, work put in line after queues another drain.
So no work waits in line without a drain to come, and a burst still runs on every worker.
"""

from __future__ import annotations

import contextlib
from contextvars import ContextVar
from datetime import timedelta
from typing import Iterator

from redis import Redis
from redis.commands.core import Script
from redis.exceptions import RedisError
from rq import Retry

from models.outbox import Work
from worker.queues import JOBS

KEY = "foad:outbox:ride:{}"
"""The marker of outbox row {id} riding with a job."""
MARK = b"riding"
"""A marker's value."""
RIDE_WAIT = timedelta(minutes=10)
"""How long a marker written with its carrier's push lasts: the carrier's wait in the queue.
A carrier that waited longer finds its riders' markers gone and leaves them to the relay."""
RUN_MARGIN = timedelta(seconds=30)
"""Added to a carrier's timeout for the marker of a rider it runs (RQ ends the carrier by
its timeout, riders included)."""

LINE = "foad:outbox:line:{}"
"""The ids of outbox rows waiting for queue {name}'s drain, oldest first."""
DRAIN_FLAG = "foad:outbox:drain:{}"
"""Set while a drain of queue {name}'s line is queued and has not looked at it yet."""
DRAIN_FLAG_LASTS = timedelta(minutes=1)
"""A flag outlives no drain by more than this: a drain lost before it ran (Redis refused it
after the flag was set) holds up the line at most this long, and a drain waiting longer
behind a backlog only means one more drain is queued."""

_collected: ContextVar[list[Work] | None] = ContextVar("riders", default=None)


def key(item_id: int) -> str:
    """The Redis key of outbox row `item_id`'s marker."""
    return KEY.format(item_id)


def can_ride(work: Work) -> bool:
    """True for work of a kind that may ride with another job."""
    return JOBS[work.job].rides


def mark(redis: Redis, work: list[Work], lasting: timedelta) -> bool:
    """Write the markers of riders; False (nothing should ride) when Redis refused."""
    pipe = redis.pipeline(transaction=False)
    for item in work:
        pipe.set(key(item.id), MARK, ex=lasting)
    try:
        pipe.execute()
    except RedisError:
        return False
    return True


def wait_in_line(redis: Redis, queue: str, work: list[Work]) -> bool:
    """Put work in `queue`'s line, marked (RIDE_WAIT) as riders are, all or nothing; True
    when a drain must be queued for it (no drain was queued that has not looked yet)."""
    keys = [LINE.format(queue), DRAIN_FLAG.format(queue), *(key(item.id) for item in work)]
    lasting = (int(RIDE_WAIT.total_seconds()), int(DRAIN_FLAG_LASTS.total_seconds()))
    return bool(_WAIT_IN_LINE(keys, [*lasting, MARK, *(item.id for item in work)], client=redis))


_WAIT_IN_LINE = Script(None, b"""
-- KEYS: the line, the drain flag, then each piece's marker; ARGV: a marker's life and the
-- flag's (seconds), the marker's value, then each piece's id (in its marker's order).
for i = 3, #KEYS do
  redis.call('SET', KEYS[i], ARGV[3], 'EX', ARGV[1])
end
redis.call('RPUSH', KEYS[1], unpack(ARGV, 4))
return redis.call('SET', KEYS[2], ARGV[3], 'NX', 'EX', ARGV[2]) and 1 or 0
""")
"""`wait_in_line` in one command a commit (a script runs whole, as MULTI would)."""


def drain_wanted(redis: Redis, queue: str) -> bool:
    """True when work waits in `queue`'s line with no drain queued to take it (`flag_drain`).
    A drain that finds the line emptied meanwhile does nothing; work put in line after the
    look queues its own."""
    return bool(redis.llen(LINE.format(queue)) and flag_drain(redis, queue))


def flag_drain(redis: Redis, queue: str) -> bool:
    """Set `queue`'s drain flag: True when it was not set, and the caller queues the drain."""
    return bool(redis.set(DRAIN_FLAG.format(queue), MARK, nx=True, ex=DRAIN_FLAG_LASTS))


def draining(redis: Redis, queue: str) -> None:
    """A drain starts: work put in line from now on queues another drain."""
    redis.delete(DRAIN_FLAG.format(queue))


def take(redis: Redis, queue: str, count: int) -> tuple[list[int], int]:
    """Up to `count` ids from the front of `queue`'s line, each taken by one drain only, and
    how many are left in it."""
    pipe = redis.pipeline(transaction=True)
    pipe.lpop(LINE.format(queue), count)
    pipe.llen(LINE.format(queue))
    taken, left = pipe.execute()
    return [int(item_id) for item_id in taken or []], left


def renew(redis: Redis, item_id: int, lasting: timedelta) -> bool:
    """Take a waiting rider to run it now: True when its marker was still there."""
    try:
        return bool(redis.set(key(item_id), MARK, ex=lasting, xx=True))
    except RedisError:
        return False


def forget(redis: Redis, item_ids: list[int]) -> None:
    """Drop riders' markers before they are queued as jobs of their own: a retry of their
    carrier (it ran them once, then crashed) must then leave them to those jobs."""
    if item_ids:
        redis.delete(*(key(item_id) for item_id in item_ids))


def collecting() -> list[Work] | None:
    """Where the running outbox job's commits put the work that rides with it; None
    outside one (the work is pushed)."""
    return _collected.get()


@contextlib.contextmanager
def collected() -> Iterator[list[Work]]:
    """While an outbox job runs: the work its commits wrote that may ride with it."""
    riders: list[Work] = []
    token = _collected.set(riders)
    try:
        yield riders
    finally:
        _collected.reset(token)


def remaining(retry: Retry | None) -> tuple[timedelta, Retry | None]:
    """After a failed first attempt outside RQ: the wait before the next attempt and the
    retry policy that remains, as RQ would have had them."""
    if retry is None or retry.max < 1:
        raise ValueError("only work with retries may ride")
    intervals = list(retry.intervals) or [0]
    rest = Retry(max=retry.max - 1, interval=intervals[1:] or intervals[-1:]) if retry.max > 1 else None
    return timedelta(seconds=intervals[0]), rest
