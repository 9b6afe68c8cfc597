"""Whether the workers are alive: a live worker on every queue, RQ's scheduler, the periodic tick."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone

from redis import Redis
from rq import Worker
from rq.exceptions import SchedulerNotFound
from rq.scheduler import RQScheduler

from models.base import utcnow
from worker.periodic import LAST_TICK_KEY
from worker.queues import ALL

WORKER_STALE = 90
"""Seconds without a heartbeat after which a worker counts as dead (busy ones beat every 30)."""
SCHEDULER_STALE = 60
"""Seconds without a heartbeat after which RQ's scheduler counts as dead (it beats every 1)."""
TICK_STALE = 120
"""Seconds without a periodic tick after which the periodic jobs count as stopped."""


@dataclass
class Health:
    """What `foad worker health` reports."""

    workers: list[dict[str, object]] = field(default_factory=list)
    schedulers: dict[str, str | None] = field(default_factory=dict)
    """Queue name -> the live scheduler holding its lock, or None."""
    last_tick_age: float | None = None
    problems: list[str] = field(default_factory=list)

    @property
    def healthy(self) -> bool:
        """True when nothing is wrong."""
        return not self.problems

    def as_dict(self) -> dict[str, object]:
        """The report as JSON types."""
        return {"healthy": self.healthy, "problems": self.problems, "workers": self.workers,
                "schedulers": self.schedulers, "last_tick_age_s": self.last_tick_age}


def check(redis: Redis, queues: tuple[str, ...] = ALL, now: datetime | None = None) -> Health:
    """Look in Redis for live workers on `queues`, their scheduler and the periodic tick."""
    now = now or utcnow()
    health = Health()
    live = [w for w in Worker.all(connection=redis) if _age(w.last_heartbeat, now) <= WORKER_STALE]
    health.workers = [{"name": w.name, "queues": w.queue_names(), "state": w.get_state(),
                       "current_job": w.get_current_job_id(),
                       "last_heartbeat_age_s": round(_age(w.last_heartbeat, now), 1)} for w in live]
    for name in queues:
        if not any(name in w.queue_names() for w in live):
            health.problems.append(f"no live worker listens on queue {name}")
        health.schedulers[name] = _scheduler(redis, name, now)
        if health.schedulers[name] is None:
            health.problems.append(f"no live scheduler for queue {name}")
    raw = redis.get(LAST_TICK_KEY)
    health.last_tick_age = round(now.timestamp() - float(raw), 1) if raw else None
    if health.last_tick_age is None or health.last_tick_age > TICK_STALE:
        health.problems.append("periodic jobs have not been ticked in the last "
                               f"{TICK_STALE} seconds")
    return health


def _scheduler(redis: Redis, queue: str, now: datetime) -> str | None:
    holder = redis.get(RQScheduler.get_locking_key(queue))
    if holder is None:
        return None
    try:
        scheduler = RQScheduler.fetch(holder.decode(), connection=redis)
    except SchedulerNotFound:
        return None
    return scheduler.name if _age(scheduler.last_heartbeat, now) <= SCHEDULER_STALE else None


def _age(moment: datetime | None, now: datetime) -> float:
    if moment is None:
        return float("inf")
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return (now - moment).total_seconds()
