"""Moving outbox rows to RQ: right after commit, and by the relay for anything Redis lacks."""

from __future__ import annotations

import functools
import importlib
import logging
from datetime import timedelta
from typing import Callable, Iterable

from redis import Redis
from redis.exceptions import RedisError
from rq import Queue, get_current_job
from rq.job import Job as RQJob
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from models.base import utcnow
from models.outbox import OutboxItem, Work
from models.tickets import Ticket
from worker import context
from worker.queues import JOBS

log = logging.getLogger(__name__)

RELAY_BATCH = 500
"""Rows the relay looks at in one run; the next run takes the rest."""
RELAY_GRACE = timedelta(seconds=30)
"""Rows younger than this are left to the after-commit push that is likely under way."""


def job_id(item_id: int) -> str:
    """The RQ job id of an outbox row: stable, so pushing twice does not make two jobs."""
    return f"outbox-{item_id}"


class Pusher:
    """The session factory's after-commit hook: queue the work just committed."""

    def __init__(self, redis: Redis) -> None:
        self.redis = redis

    def __call__(self, work: list[Work]) -> None:
        push(self.redis, work)


@functools.lru_cache(maxsize=64)
def _queue(redis: Redis, name: str) -> Queue:
    # A new Queue asks Redis for its version: keep one per connection and name.
    return Queue(name, connection=redis)


def push(redis: Redis, work: Iterable[Work]) -> int:
    """Enqueue each piece of work; stop quietly at the first Redis failure (the relay retries)."""
    pushed = 0
    for item in work:
        try:
            _enqueue(redis, item)
        except RedisError as exc:
            log.warning("redis unreachable, the relay will queue it later",
                        extra={"outbox": item.id, "job": item.job, "error": str(exc)})
            break
        pushed += 1
    return pushed


def _enqueue(redis: Redis, item: Work) -> None:
    spec = JOBS[item.job]
    _queue(redis, spec.queue).enqueue(
        run, item.id, job_id=job_id(item.id), retry=spec.retry, job_timeout=spec.timeout,
        description=f"{item.job}({', '.join(map(str, item.args))})",
    )



def relay(session: Session, redis: Redis, *, grace: timedelta = RELAY_GRACE) -> int:
    """Queue work not done whose job Redis does not hold (never pushed, or forgotten)."""
    rows = session.scalars(
        select(OutboxItem)
        .where(OutboxItem.done_at.is_(None), OutboxItem.created_at < utcnow() - grace)
        .order_by(OutboxItem.created_at).limit(RELAY_BATCH)
    ).all()
    missing = _missing_from(redis, rows)
    pushed = push(redis, (Work(r.id, r.job, tuple(r.args)) for r in missing))
    if pushed:
        log.info("relay queued outbox work", extra={"count": pushed})
    return pushed


def _missing_from(redis: Redis, rows: list[OutboxItem]) -> list[OutboxItem]:
    pipe = redis.pipeline(transaction=False)
    for row in rows:
        pipe.exists(RQJob.key_for(job_id(row.id)))
    try:
        held = pipe.execute()
    except RedisError as exc:
        log.warning("redis unreachable, relay skipped", extra={"error": str(exc)})
        return []
    return [row for row, present in zip(rows, held) if not present]


def run(item_id: int) -> None:
    """The RQ job for one outbox row: call its function unless it is already done."""
    runtime = context.current()
    with runtime.session() as session:
        item = session.get(OutboxItem, item_id)
        if item is None or item.done_at is not None:
            return
        code = session.scalar(select(Ticket.code).where(Ticket.id == item.ticket_id)) if item.ticket_id else None
        job, args = item.job, list(item.args)
    current = get_current_job()
    extra = {"job": job, "rq_job": current.id if current else job_id(item_id), "ticket": code}
    log.info("job started", extra=extra)
    _function(JOBS[job].function)(*args)
    with runtime.session() as session:
        session.execute(update(OutboxItem).where(OutboxItem.id == item_id).values(done_at=utcnow()))
        session.commit()
    log.info("job done", extra=extra)


def _function(path: str) -> Callable[..., object]:
    module, _, name = path.rpartition(".")
    return getattr(importlib.import_module(module), name)
