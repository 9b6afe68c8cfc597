"""Moving outbox rows to RQ: right after commit, and by the relay for anything Redis lacks.

Each row's job has one id ("outbox-17"), enqueued with RQ's `unique=True`: whoever pushes
second (another relay, the after-commit push) is refused and moves on. A job that fails for
good (its retries spent) is noted on its row and its ticket; the relay runs it again
REQUEUE_AFTER later, and again after each such failure, until it succeeds.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from types import TracebackType
from typing import Iterable

from redis import Redis
from redis.exceptions import RedisError
from rq import Callback
from rq.exceptions import DuplicateJobError, InvalidJobOperation
from rq.job import Job as RQJob
from rq.job import JobStatus
from rq.registry import FailedJobRegistry
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from models.base import utcnow
from models.events import Event
from models.locking import locked_ticket
from models.outbox import OutboxItem, Work, note_failure, take_for_rerun
from models.db import alone
from models.runtime import current
from models.tickets import Ticket, record
from worker import context
from worker.queues import JOBS, queue

log = logging.getLogger(__name__)

RELAY_BATCH = 500
"""Rows the relay looks at in one run; the next run takes the rest."""
RELAY_GRACE = timedelta(seconds=30)
"""Rows younger than this are left to the after-commit push that is likely under way."""
REQUEUE_AFTER = timedelta(minutes=15)
"""How long work whose job failed for good rests before the relay runs it again (time for
a directory to be fixed, a database or a provider to come back)."""


def job_id(item_id: int) -> str:
    """The RQ job id of an outbox row: stable, so pushing twice does not make two jobs."""
    return f"outbox-{item_id}"


def push(redis: Redis, work: Iterable[Work]) -> int:
    """Enqueue each piece of work not queued yet; stop quietly at the first Redis failure
    (the relay retries). How many this call queued."""
    pushed = 0
    for item in work:
        try:
            pushed += _enqueue(redis, item)
        except RedisError as exc:
            log.warning("redis unreachable, the relay will queue it later",
                        extra={"outbox": item.id, "job": item.job, "error": str(exc)})
            break
    return pushed


def _enqueue(redis: Redis, item: Work) -> bool:
    spec = JOBS[item.job]
    try:
        queue(redis, spec.queue).enqueue(
            run, item.id, job_id=job_id(item.id), unique=True, retry=spec.retry,
            job_timeout=spec.timeout, on_failure=Callback(failed),
            description=f"{item.job}({', '.join(map(str, item.args))})",
        )
    except DuplicateJobError:
        return False  # Redis holds it already (another relay, the after-commit push): done
    return True


def relay(session: Session, redis: Redis, *, grace: timedelta = RELAY_GRACE) -> int:
    """Queue work not done whose job Redis does not hold (never pushed, or forgotten), and
    run again work whose job failed for good REQUEUE_AFTER ago; how many jobs it queued."""
    rows = session.scalars(
        select(OutboxItem)
        .where(OutboxItem.done_at.is_(None), OutboxItem.created_at < utcnow() - grace)
        .order_by(OutboxItem.created_at).limit(RELAY_BATCH)
    ).all()
    statuses = _statuses(redis, rows)
    missing = [row for row, status in zip(rows, statuses) if status is None]
    failed = [row for row, status in zip(rows, statuses) if status == JobStatus.FAILED]
    pushed = push(redis, (Work(r.id, r.job, tuple(r.args)) for r in missing))
    pushed += sum(_rerun(session, redis, row) for row in failed)
    session.commit()
    if pushed:
        log.info("relay queued outbox work", extra={"count": pushed})
    return pushed


def _statuses(redis: Redis, rows: list[OutboxItem]) -> list[str | None]:
    """Each row's job status in RQ ("" when Redis cannot say), None for no job at all."""
    pipe = redis.pipeline(transaction=False)
    for row in rows:
        pipe.hget(RQJob.key_for(job_id(row.id)), "status")
    try:
        found = pipe.execute()
    except RedisError as exc:
        log.warning("redis unreachable, relay skipped", extra={"error": str(exc)})
        return [""] * len(rows)
    return [status.decode() if status is not None else None for status in found]


def _rerun(session: Session, redis: Redis, row: OutboxItem) -> bool:
    """Run a failed job again once it rested REQUEUE_AFTER (a failure nobody noted, say of
    a work horse killed on its last try, is noted now and rests from now)."""
    if row.failed_at is None:
        _note(session, row.id, "the relay found its job failed")
        return False
    if row.failed_at > utcnow() - REQUEUE_AFTER or not take_for_rerun(session, row):
        return False
    session.commit()
    try:
        FailedJobRegistry(JOBS[row.job].queue, connection=redis).requeue(job_id(row.id))
    except (InvalidJobOperation, RedisError) as exc:  # another relay did, or Redis is away
        log.warning("failed work not queued again", extra={"outbox": row.id, "error": str(exc)})
        return False
    log.info("relay runs failed work again", extra={"outbox": row.id, "job": row.job,
                                                    "failures": row.failures})
    return True


def failed(job: RQJob, _redis: Redis, exc_type: type[BaseException] | None,
           exc: BaseException | None, _tb: TracebackType | None) -> None:
    """RQ's failure hook of outbox jobs: on the last failure, note it on the row and the
    ticket. Never raises (RQ would record its error instead of the job's)."""
    if job.should_retry:
        return
    error = f"{exc_type.__name__}: {exc}" if exc_type else "failed"
    try:
        with current().session() as session:
            _note(session, job.args[0], error)
    except Exception:
        log.exception("could not note a failed job; the relay will", extra={"rq_job": job.id})


def _note(session: Session, item_id: int, error: str) -> None:
    """Note a failure for good on the row, and the first one on its ticket's timeline."""
    failures = note_failure(session, item_id, utcnow())
    item = session.get(OutboxItem, item_id)
    ticket = locked_ticket(session, item.ticket_id) if item.ticket_id else None
    if failures == 1 and ticket is not None:
        note = f"gave up after its retries; run again every {REQUEUE_AFTER.seconds // 60} minutes"
        record(ticket, Event.JOB_FAILED, note=note, job=item.job, outbox=item_id, error=error[:300])
    session.commit()
    if failures:
        log.error("work failed for good; the relay runs it again later",
                  extra={"outbox": item_id, "job": item.job, "failures": failures,
                         "ticket": ticket.code if ticket else None, "error": error[:300]})


def run(item_id: int) -> None:
    """The RQ job for one outbox row: call its function unless it is already done."""
    runtime = current()
    found = alone(runtime.engine, select(OutboxItem.job, OutboxItem.args, OutboxItem.done_at, Ticket.code)
                    .outerjoin(Ticket, Ticket.id == OutboxItem.ticket_id).where(OutboxItem.id == item_id))
    if found is None or found.done_at is not None:
        return
    extra = {"job": found.job, "rq_job": context.job_id() or job_id(item_id), "ticket": found.code}
    log.info("job started", extra=extra)
    with context.about(found.code):
        context.function_of(found.job)(*found.args)
    alone(runtime.engine, update(OutboxItem).where(OutboxItem.id == item_id).values(done_at=utcnow()))
    log.info("job done", extra=extra)


def relay_outbox() -> int:
    """The periodic job: queue outbox work Redis does not hold (never pushed, or lost)."""
    runtime = current()
    with runtime.session() as session:
        pushed = relay(session, runtime.redis)
    log.info("outbox relay", extra={"queued": pushed, "rq_job": context.job_id()})
    return pushed
