"""Which outbox work is on its way to a worker: queued as a job of its own, or waiting in
its queue's line for a drain (worker.riders), which must then be queued too."""

from __future__ import annotations

from redis import Redis

from worker import riders
from worker.outbox import job_id
from worker.queues import queue


def on_the_way(redis: Redis, name: str) -> list[str]:
    """The RQ job ids (`worker.outbox.job_id`) of queue `name`'s outbox work, jobs of its own
    first, then the line's in order; fails when work waits in line and no drain is queued."""
    jobs = queue(redis, name).job_ids
    own = [rq_id for rq_id in jobs if not rq_id.startswith("drain-")]
    line = [job_id(int(item_id)) for item_id in redis.lrange(riders.LINE.format(name), 0, -1)]
    assert not line or len(own) < len(jobs), f"work waits in {name}'s line and no drain is queued"
    return own + line


def forget(redis: Redis, name: str) -> None:
    """Drop queue `name`'s jobs and line, as a Redis that lost them would (the relay queues
    the work again once its markers lapse)."""
    queue(redis, name).empty()
    redis.delete(riders.LINE.format(name), riders.DRAIN_FLAG.format(name))
