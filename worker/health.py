"""Whether the workers are alive and keep up: a live worker on every queue, RQ's scheduler,
the periodic tick, and no outbox work left undone for long."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from redis import Redis
from rq import Worker
from rq.exceptions import SchedulerNotFound
from rq.scheduler import RQScheduler
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models.base import utcnow
from models.outbox import OutboxItem
from models.tickets import Ticket
from worker.periodic import LAST_TICK_KEY
from worker.queues import ALL

WORKER_STALE = 90
"""Seconds without a heartbeat after which a worker counts as dead (busy ones beat every 30)."""
SCHEDULER_STALE = 60
"""Seconds without a heartbeat after which RQ's scheduler counts as dead (it beats every 1)."""
TICK_STALE = 120
"""Seconds without a periodic tick after which the periodic jobs count as stopped."""
OUTBOX_STALE = timedelta(minutes=60)
"""Outbox work not done this long is a problem: longer than any job's whole retry
schedule (an SMS's is the longest, 51 minutes)."""
OUTBOX_LISTED = 10
"""Stale outbox rows the report names, oldest first."""


@dataclass
class Health:
    """What `foad worker health` reports."""

    workers: list[dict[str, object]] = field(default_factory=list)
    schedulers: dict[str, str | None] = field(default_factory=dict)
    """Queue name -> the live scheduler holding its lock, or None."""
    last_tick_age: float | None = None
    problems: list[str] = field(default_factory=list)
    outbox_stale: dict[str, object] = field(default_factory=dict)
    """Outbox work not done in time: how many rows, and the oldest ones."""
    fixed_now: datetime | None = None
    """FOAD_FIXED_NOW when set: every job acts at that moment, so no deadline passes."""

    @property
    def healthy(self) -> bool:
        """True when nothing is wrong."""
        return not self.problems

    def as_dict(self) -> dict[str, object]:
        """The report as JSON types."""
        return {"healthy": self.healthy, "problems": self.problems, "workers": self.workers,
                "schedulers": self.schedulers, "last_tick_age_s": self.last_tick_age,
                "outbox_stale": self.outbox_stale,
                "fixed_now": self.fixed_now.isoformat() if self.fixed_now else None}


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


def check_outbox(health: Health, session: Session, older_than: timedelta = OUTBOX_STALE,
                 now: datetime | None = None) -> None:
    """Add to `health` the outbox work not done for more than `older_than` (a problem)."""
    before = (now or utcnow()) - older_than
    stale = OutboxItem.done_at.is_(None) & (OutboxItem.created_at < before)
    count = session.scalar(select(func.count()).select_from(OutboxItem).where(stale))
    rows = session.execute(select(OutboxItem, Ticket.code)
                           .outerjoin(Ticket, Ticket.id == OutboxItem.ticket_id)
                           .where(stale).order_by(OutboxItem.created_at).limit(OUTBOX_LISTED)).all()
    health.outbox_stale = {"count": count, "older_than_minutes": older_than.total_seconds() / 60,
                           "oldest": [_stale(item, code, now or utcnow()) for item, code in rows]}
    if count:
        health.problems.append(f"{count} outbox row(s) not done for more than "
                               f"{older_than.total_seconds() / 60:g} minutes")


def _stale(item: OutboxItem, code: str | None, now: datetime) -> dict[str, object]:
    return {"id": item.id, "job": item.job, "ticket": code,
            "age_minutes": round((now - item.created_at).total_seconds() / 60, 1),
            "failures": item.failures, "failed_at": item.failed_at.isoformat() if item.failed_at else None}


def _scheduler(redis: Redis, queue: str, now: datetime) -> str | None:
    holder = redis.get(RQScheduler.get_locking_key(queue))
    if holder is None:
        return None
    try:
        scheduler = RQScheduler.fetch(holder.decode(), connection=redis)
    except (SchedulerNotFound, KeyError):  # KeyError: a stopping one's hash, half deleted
        return None
    return scheduler.name if _age(scheduler.last_heartbeat, now) <= SCHEDULER_STALE else None


def _age(moment: datetime | None, now: datetime) -> float:
    if moment is None:
        return float("inf")
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return (now - moment).total_seconds()
