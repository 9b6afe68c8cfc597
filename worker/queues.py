"""Queue names and the table of jobs the outbox can carry: one place for both."""

from __future__ import annotations

import functools
from dataclasses import dataclass

from redis import Redis
from rq import Queue, Retry

from models.outbox import Job

ROUTING = "routing"
"""Answering inbound texts and routing new tickets to an official: a citizen waiting for a
reply, and the first minutes of the three hours, so first."""
NOTIFICATIONS = "notifications"
"""SMS to citizens and officials."""
MEDIA = "media"
"""Downloading MMS photos and videos: slow, and never in the way of the others."""
MAINTENANCE = "maintenance"
"""The outbox relay, the deadline sweep, closing surveys."""

ALL = (ROUTING, NOTIFICATIONS, MEDIA, MAINTENANCE)
"""In priority order: a worker takes from the first non-empty queue."""


@functools.lru_cache(maxsize=64)
def queue(redis: Redis, name: str) -> Queue:
    """The RQ queue `name` on `redis`, made once: a new Queue asks Redis for its version."""
    return Queue(name, connection=redis)


@dataclass(frozen=True)
class JobSpec:
    """Where a kind of outbox work runs and how it is retried (foad.jobs names its function)."""

    queue: str
    retry: Retry | None = None
    timeout: int = 60
    """Seconds before RQ kills the job."""
    rides: bool = False
    """May run in the worker right after the job whose commit wrote it, or wait in line for
    a drain with the other work of its kind (worker.riders); needs a retry policy."""


def _backoff(*seconds: int) -> Retry:
    return Retry(max=len(seconds), interval=list(seconds))


JOBS: dict[str, JobSpec] = {
    Job.ROUTE_TICKET: JobSpec(ROUTING, _backoff(5, 30, 120, 600), rides=True),
    # A citizen waits for this answer: retry soon; a failed run changed nothing (one transaction).
    Job.ANSWER_SMS: JobSpec(ROUTING, _backoff(2, 10, 60, 300, 900), rides=True),
    Job.SEND_SMS: JobSpec(NOTIFICATIONS, _backoff(10, 60, 300, 900, 1800), rides=True),
    Job.TEXT_BACK: JobSpec(NOTIFICATIONS, _backoff(10, 60, 300), rides=True),
    Job.FETCH_MEDIA: JobSpec(MEDIA, _backoff(30, 300, 1800), timeout=300),
    # Only RQ's wake-ups: the clock row is written, and the sweep acts on it if this fails.
    Job.WAKE_CLOCK: JobSpec(ROUTING, _backoff(5, 30, 120)),
}
