"""RQ's retries and queues as a test sees them: each probe reads Redis once (one command, or
one MULTI), never two structures a worker could change between the reads.

Why: RQ writes a retried job's status ("scheduled") before the transaction that puts it in
the scheduled registry, so "the status says scheduled" does not mean "it is in the
registry"; and a job moves from its queue to the started registry through an intermediate
list, so reading the queue and then the registry can see it in neither.
"""

from __future__ import annotations

from datetime import datetime, timezone

from redis import Redis
from rq import Queue
from rq.job import Job

from worker.queues import ALL


def scheduled_at(redis: Redis, name: str, job_id: str) -> datetime | None:
    """When RQ's scheduler will queue the job again (its retry backoff over), if the job
    waits in queue `name`'s scheduled registry; else None. One ZSCORE."""
    score = redis.zscore(Queue(name, connection=redis).scheduled_job_registry.key, job_id)
    return None if score is None else datetime.fromtimestamp(score, timezone.utc)


def run_retry_now(redis: Redis, name: str, job_id: str) -> bool:
    """End the job's backoff now, as RQ's scheduler does when it is over: take it out of the
    scheduled registry and queue it. False (and nothing queued) when it was not there: a
    worker's scheduler moved it first, or it was never scheduled."""
    queue = Queue(name, connection=redis)
    if not redis.zrem(queue.scheduled_job_registry.key, job_id):
        return False
    queue.enqueue_job(Job.fetch(job_id, connection=redis))
    return True


def run_retries_now(redis: Redis) -> int:
    """Queue every job waiting out a retry interval, as if the wait were over; how many."""
    moved = 0
    for name in ALL:
        waiting = redis.zrange(Queue(name, connection=redis).scheduled_job_registry.key, 0, -1)
        moved += sum(run_retry_now(redis, name, job_id.decode()) for job_id in waiting)
    return moved


_BUSY = """
local busy = 0
for i = 1, #KEYS, 3 do
    busy = busy + redis.call('LLEN', KEYS[i]) + redis.call('ZCARD', KEYS[i + 2])
    for _, id in ipairs(redis.call('LRANGE', KEYS[i + 1], 0, -1)) do
        if redis.call('HGET', ARGV[1] .. id, 'status') == 'queued' then busy = busy + 1 end
    end
end
return busy
"""


def busy(redis: Redis, names: tuple[str, ...]) -> int:
    """Jobs queued or running on the queues `names`, counted in one Lua script: the queue,
    the jobs a worker has taken but not started (still "queued" in RQ's intermediate list,
    where a worker on several queues also leaves finished ones until its upkeep) and the
    started registry, so that no job moving from one to the next is missed."""
    keys = []
    for name in names:
        queue = Queue(name, connection=redis)
        keys += [queue.key, queue.intermediate_queue_key, queue.started_job_registry.key]
    return int(redis.eval(_BUSY, len(keys), *keys, Job.redis_job_namespace_prefix))
