"""Making RQ's retry backoff pass at once, so a test can watch every attempt."""

from __future__ import annotations

from redis import Redis
from rq import Queue
from rq.job import Job

from worker.queues import ALL


def run_retries_now(redis: Redis) -> int:
    """Enqueue every job waiting out a retry interval, as if the wait were over."""
    moved = 0
    for name in ALL:
        queue = Queue(name, connection=redis)
        registry = queue.scheduled_job_registry
        for job_id in registry.get_job_ids():
            registry.remove(job_id)
            queue.enqueue_job(Job.fetch(job_id, connection=redis))
            moved += 1
    return moved
