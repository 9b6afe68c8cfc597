"""Moving outbox rows to RQ: right after commit, and by the relay for anything left behind."""

from __future__ import annotations

import importlib
import logging
from datetime import timedelta
from typing import Callable, Iterable

from redis import Redis
from redis.exceptions import RedisError
from rq import Queue
from rq.exceptions import NoSuchJobError
from rq.job import Job as RQJob
from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session

from models.base import utcnow
from models.outbox import OutboxItem
from models.tickets import Ticket
from worker import context
from worker.queues import JOBS

log = logging.getLogger(__name__)

RELAY_BATCH = 500
"""Rows the relay moves in one run; the next run takes the rest."""
STALE_AFTER = timedelta(minutes=5)
"""A queued row not done after this is checked against Redis (which may have lost it)."""


def job_id(item_id: int) -> str:
    """The RQ job id of an outbox row: stable, so pushing twice does not run it twice."""
    return f"outbox-{item_id}"


class Pusher:
    """The session factory's after-commit hook: queue the rows just committed."""

    def __init__(self, engine: Engine, redis: Redis) -> None:
        self.engine, self.redis = engine, redis

    def __call__(self, ids: list[int]) -> None:
        with Session(self.engine) as session:
            items = session.scalars(select(OutboxItem).where(
                OutboxItem.id.in_(ids), OutboxItem.queued_at.is_(None))).all()
            push(session, self.redis, items)


def push(session: Session, redis: Redis, items: Iterable[OutboxItem]) -> int:
    """Enqueue each row and mark it queued; stop quietly at the first Redis failure."""
    pushed = 0
    for item in items:
        try:
            _enqueue(redis, item)
        except RedisError as exc:
            log.warning("redis unreachable, the relay will queue it later",
                        extra={"outbox": item.id, "job": item.job, "error": str(exc)})
            break
        session.execute(update(OutboxItem).where(OutboxItem.id == item.id).values(queued_at=utcnow()))
        session.commit()
        pushed += 1
    return pushed


def _enqueue(redis: Redis, item: OutboxItem) -> None:
    spec = JOBS[item.job]
    Queue(spec.queue, connection=redis).enqueue(
        run, item.id, job_id=job_id(item.id), retry=spec.retry, job_timeout=spec.timeout,
        description=f"{item.job}({', '.join(map(str, item.args))})",
    )


def relay(session: Session, redis: Redis) -> int:
    """Queue rows never queued, and rows Redis forgot (say, it restarted without its data)."""
    stale = utcnow() - STALE_AFTER
    rows = session.scalars(
        select(OutboxItem)
        .where(OutboxItem.done_at.is_(None))
        .where(OutboxItem.queued_at.is_(None) | (OutboxItem.queued_at < stale))
        .order_by(OutboxItem.id).limit(RELAY_BATCH)
    ).all()
    lost = [item for item in rows if item.queued_at is None or _forgotten(redis, item)]
    pushed = push(session, redis, lost)
    if pushed:
        log.info("relay queued outbox rows", extra={"count": pushed})
    return pushed


def _forgotten(redis: Redis, item: OutboxItem) -> bool:
    try:
        RQJob.fetch(job_id(item.id), connection=redis)
    except NoSuchJobError:
        return True
    return False


def run(item_id: int) -> None:
    """The RQ job for one outbox row: call its function unless it is already done."""
    runtime = context.current()
    with runtime.session() as session:
        item = session.get(OutboxItem, item_id)
        if item is None or item.done_at is not None:
            return
        code = session.scalar(select(Ticket.code).where(Ticket.id == item.ticket_id)) if item.ticket_id else None
        job, args = item.job, list(item.args)
    spec = JOBS[job]
    extra = {"job": job, "rq_job": job_id(item_id), "ticket": code}
    log.info("job started", extra=extra)
    _function(spec.function)(*args)
    with runtime.session() as session:
        session.execute(update(OutboxItem).where(OutboxItem.id == item_id).values(done_at=utcnow()))
        session.commit()
    log.info("job done", extra=extra)


def _function(path: str) -> Callable[..., object]:
    module, _, name = path.rpartition(".")
    return getattr(importlib.import_module(module), name)
