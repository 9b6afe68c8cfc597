"""Moving outbox rows to RQ: right after commit, and by the relay for anything Redis lacks.

Each row's job has one id ("outbox-17"), enqueued with RQ's `unique=True`: whoever pushes
second (another relay, the after-commit push) is refused and moves on. A job that fails for
good (its retries spent) is noted on its row and its ticket; the relay runs it again
REQUEUE_AFTER later, and again after each such failure, until it succeeds.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections import deque
from datetime import timedelta
from types import TracebackType
from typing import Iterable, Iterator
from uuid import uuid4

from redis import Redis
from redis.exceptions import RedisError
from rq import Callback, Retry, get_current_job
from rq.exceptions import DuplicateJobError, InvalidJobOperation
from rq.job import Job as RQJob
from rq.job import JobStatus
from rq.registry import FailedJobRegistry
from rq.timeouts import JobTimeoutException
from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from models.base import utcnow
from models.events import Event
from models.locking import locked_ticket
from models.db import alone, alone_rows
from models.outbox import Job, OutboxItem, Work, note_failure, take_for_rerun
from models.runtime import Runtime, current
from models.tickets import Ticket, record
from worker import context, metrics, riders
from worker.queues import JOBS, NOTIFICATIONS, ROUTING, queue

log = logging.getLogger(__name__)

RELAY_BATCH = 500
"""Rows the relay looks at in one run; the next run takes the rest."""
RELAY_GRACE = timedelta(seconds=30)
"""Rows younger than this are left to the after-commit push that is likely under way."""
REQUEUE_AFTER = timedelta(minutes=15)
"""How long work whose job failed for good rests before the relay runs it again (time for
a directory to be fixed, a database or a provider to come back)."""


DRAIN_CHUNK = {ROUTING: 10, NOTIFICATIONS: 1}
"""Pieces of work a drain takes from its queue's line at a time (one look-up and one
done-marking statement for them): answering and routing, mostly CPU and the database, ten;
sending, mostly a wait on the provider, one, so that every idle worker sends the next."""
DRAIN_TIMEOUT = max(spec.timeout for spec in JOBS.values() if spec.rides)
DRAIN_RETRY = Retry(max=4, interval=[2, 10, 60, 300])
"""A drain fails only when its worker dies or Redis or the database fails it; its retry runs
what it had taken, soon (a citizen may wait for an answer among it)."""


def job_id(item_id: int) -> str:
    """The RQ job id of an outbox row: stable, so pushing twice does not make two jobs."""
    return f"outbox-{item_id}"


def push(redis: Redis, work: Iterable[Work]) -> int:
    """Enqueue the work one commit wrote: the pieces that may ride (worker.riders) wait in
    line for a drain, or, inside an outbox job, are kept for the job to run after itself;
    the others go as jobs of their own. Stop quietly at the first Redis failure (the relay
    retries). How many jobs it queued."""
    work = list(work)
    riding = [item for item in work if riders.can_ride(item)]
    kept = riders.collecting()
    # Noted on the job before marked: a retry after a crash here finds them (and runs those
    # whose marker got written; the relay queues the others).
    if kept is not None and riding and _noted(riding) and riders.mark(redis, riding, riders.RIDE_WAIT):
        kept.extend(riding)
        riding = []
    queued = 0
    if riding:
        queued, riding = _in_line(redis, riding)
    alone = [item for item in work if not riders.can_ride(item)] + riding
    return queued + push_each(redis, alone)


def _in_line(redis: Redis, work: list[Work]) -> tuple[int, list[Work]]:
    """Put work in line for its first piece's queue, and queue a drain if none is coming:
    how many jobs that queued, and the work left to go alone (all of it when Redis refused)."""
    name = JOBS[work[0].job].queue
    try:
        if riders.wait_in_line(redis, name, work):
            return int(_enqueue_drain(redis, name, drain_id(name, work[0].id))), []
    except RedisError as exc:
        log.warning("redis unreachable, the relay will queue it later",
                    extra={"outbox": [item.id for item in work], "error": str(exc)})
        return 0, work
    return 0, []


def drain_id(name: str, cause: int | str) -> str:
    """The RQ job id of the drain of queue `name` that outbox row `cause` (put in line) or
    job `cause` (a drain that left work in line) queued: each queues one at most."""
    return f"drain-{name}-{cause}"


def _enqueue_drain(redis: Redis, name: str, rq_id: str) -> bool:
    """Queue a drain of `name`'s line (its flag is set); False when Redis refused: the flag
    lapses and the next work in line queues one, the relay takes work whose marker lapses."""
    try:
        queue(redis, name).enqueue(drain, name, job_id=rq_id, job_timeout=DRAIN_TIMEOUT,
                                   retry=DRAIN_RETRY, description=f"drain({name})")
    except RedisError as exc:
        log.warning("drain not queued", extra={"queue": name, "error": str(exc)})
        return False
    return True


def push_each(redis: Redis, work: Iterable[Work]) -> int:
    """Enqueue each piece of work as a job of its own, stopping quietly at the first Redis
    failure; how many it queued (work whose job RQ holds already is not queued again)."""
    pushed = 0
    for item in work:
        try:
            pushed += _enqueue(redis, item)
        except RedisError as exc:
            log.warning("redis unreachable, the relay will queue it later",
                        extra={"outbox": item.id, "job": item.job, "error": str(exc)})
            break
    return pushed


def _enqueue(redis: Redis, item: Work, delay: timedelta | None = None, retry: Retry | None | bool = True) -> bool:
    """Enqueue the item's job, now or after `delay`; False when RQ holds it already
    (another relay, a rider's retry)."""
    spec = JOBS[item.job]
    options = dict(job_id=job_id(item.id), unique=True, job_timeout=spec.timeout,
                   retry=spec.retry if retry is True else retry, on_failure=Callback(failed),
                   description=f"{item.job}({', '.join(map(str, item.args))})")
    try:
        if delay is None:
            queue(redis, spec.queue).enqueue(run, item.id, **options)
        else:
            queue(redis, spec.queue).enqueue_in(delay, run, item.id, **options)
    except DuplicateJobError:
        return False
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
    pushed = push_each(redis, (Work(r.id, r.job, tuple(r.args)) for r in missing))
    pushed += sum(_rerun(session, redis, row) for row in failed)
    session.commit()
    if pushed:
        log.info("relay queued outbox work", extra={"count": pushed})
    return pushed


def _statuses(redis: Redis, rows: list[OutboxItem]) -> list[str | None]:
    """Each row's job status in RQ ("" when Redis cannot say, "riding" when it rides with
    another job), None for no job at all."""
    pipe = redis.pipeline(transaction=False)
    for row in rows:
        pipe.hget(RQJob.key_for(job_id(row.id)), "status")
        pipe.exists(riders.key(row.id))
    try:
        found = pipe.execute()
    except RedisError as exc:
        log.warning("redis unreachable, relay skipped", extra={"error": str(exc)})
        return [""] * len(rows)
    return [status.decode() if status is not None else ("riding" if marked else None)
            for status, marked in zip(found[0::2], found[1::2])]


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


def run(item_id: int, *riding: int) -> None:
    """The RQ job for one outbox row, then for the rows riding with it (written by its
    commits, remembered from an earlier attempt, or given: a job queued by a version before
    the drains): each one's function unless done."""
    runtime, started = current(), time.monotonic()
    job = get_current_job()
    waiting: deque[int | Work] = deque([*riding, *(job.meta.get("riders", []) if job else [])])
    with _marking_done(runtime) as done, riders.collected() as written:
        try:
            # The row and the riders it was given, in one look-up. A rider is looked up
            # before its marker is renewed: while the marker holds nobody else runs it, so
            # what the look-up saw still stands when the renewal succeeds.
            looked = _looked_up(runtime, [item_id, *waiting])
            _run_item(looked[item_id], done)
        except BaseException:
            _go_alone(runtime.redis, [*waiting, *written], done)
            raise
        waiting.extend(written)
        budget = (job.timeout if job else None) or JOBS[Job.SEND_SMS].timeout
        while waiting:
            if time.monotonic() - started > budget / 2:  # leave the rest time of their own
                _go_alone(runtime.redis, list(waiting), done)
                return
            _ride(runtime, waiting.popleft(), budget, waiting, done, looked)


def drain(name: str) -> None:
    """The RQ job that runs the work waiting in queue `name`'s line, DRAIN_CHUNK pieces at a
    time (each as a rider), until the line is empty or half its time is spent; what is
    left then goes to another drain. While work is left in line it sees that another drain
    is queued, for an idle worker to share it. A retry after a crash first runs what it
    had taken. A worker asked to stop ends its drain after the piece under way (what it
    took and has not begun goes on without it): a shutdown waits for one piece, not a line."""
    runtime, started = current(), time.monotonic()
    job = get_current_job()
    budget = (job.timeout if job else None) or DRAIN_TIMEOUT
    riders.draining(runtime.redis, name)
    waiting: deque[int | Work] = deque(job.meta.get("riders", []) if job else [])
    while waiting or (not context.stop_asked() and _took(runtime, job, name, waiting)):
        with _marking_done(runtime) as done:
            looked = _looked_up(runtime, [_id(rider) for rider in waiting])
            while waiting:
                if time.monotonic() - started > budget / 2 or context.stop_asked():  # the rest goes on alone
                    _go_alone(runtime.redis, list(waiting), done)
                    _drain_if_wanted(runtime.redis, name)
                    return
                _ride(runtime, waiting.popleft(), budget, waiting, done, looked)
    if context.stop_asked():  # what is left in line waits for another worker's drain
        _drain_if_wanted(runtime.redis, name)


def _took(runtime: Runtime, job: RQJob | None, name: str, waiting: deque[int | Work]) -> bool:
    """Take the next pieces from the line, noted on the job (a retry after a crash runs
    them), and queue another drain if more wait; False when the line is empty."""
    taken, more = riders.take(runtime.redis, name, DRAIN_CHUNK.get(name, 1))
    if job is not None and taken:
        job.meta["riders"] = taken
        job.save_meta()
    if more and riders.flag_drain(runtime.redis, name):
        _enqueue_drain(runtime.redis, name, drain_id(name, f"{context.job_id()}-{taken[0]}"))
    waiting.extend(taken)
    return bool(taken)


_LOOK_UP = (select(OutboxItem.id, OutboxItem.job, OutboxItem.args, OutboxItem.created_at, OutboxItem.done_at,
                    Ticket.code)
            .outerjoin(Ticket, Ticket.id == OutboxItem.ticket_id)
            .where(OutboxItem.id.in_(bindparam("ids", expanding=True))))
"""Built once, as models.outbox._INSERT_WORK: every job runs it."""


def _looked_up(runtime: Runtime, item_ids: list[int]) -> dict[int, Work | None]:
    """Each row's work, with its ticket's code, in one statement; None for a row gone or done."""
    rows = alone_rows(runtime.engine, _LOOK_UP, {"ids": item_ids})
    found = {row.id: Work(row.id, row.job, tuple(row.args), row.code, row.created_at)
             for row in rows if row.done_at is None}
    return {item_id: found.get(item_id) for item_id in item_ids}


def _written(runtime: Runtime, work: Work) -> Work | None:
    """A row this run's commits wrote: not done (its marker kept the relay off it), looked
    up only for its ticket's code when the session that wrote it did not hold the ticket."""
    return work if work.code is not None else _looked_up(runtime, [work.id])[work.id]


def _run_item(item: Work | None, done: list[int], *, rides: bool = False) -> None:
    """Call one outbox row's function (None: gone or done, nothing to do); note it for
    `_marking_done`."""
    if item is None:
        return
    extra = {"job": item.job, "rq_job": job_id(item.id), "ticket": item.code, "riding": rides}
    log.info("job started", extra=extra)
    with context.running(context.Running(job_id(item.id), item.code, rides)), _measured(item, rides):
        context.function_of(item.job)(*item.args)
    done.append(item.id)
    log.info("job done", extra=extra)


@contextlib.contextmanager
def _marking_done(runtime: Runtime) -> Iterator[list[int]]:
    """The rows a run finished, marked done in one statement when it ends, however it ends
    (and before riders go alone). A crash before that runs them again: each function
    checks its own state, as it must for a retry after any crash."""
    done: list[int] = []
    try:
        yield done
    finally:
        _mark_done(runtime, done)


_MARK_DONE = (update(OutboxItem).where(OutboxItem.id.in_(bindparam("ids", expanding=True)))
              .values(done_at=bindparam("at", type_=OutboxItem.__table__.c.done_at.type)))
"""Built once, as _LOOK_UP."""


def _mark_done(runtime: Runtime, done: list[int]) -> None:
    if done:
        alone(runtime.engine, _MARK_DONE, {"ids": list(done), "at": utcnow()})
        done.clear()


def _ride(runtime: Runtime, rider: int | Work, budget: float, waiting: deque[int | Work],
          done: list[int], looked: dict[int, Work | None]) -> None:
    """Run a rider now, unless its marker is gone (the relay has it); a failure queues it
    as its own job, as RQ would have retried it. What its commits wrote rides next. A rider
    this run wrote was marked for longer than the run can last: no renewal, no look-up."""
    if isinstance(rider, Work):
        item = _written(runtime, rider)
    elif riders.renew(runtime.redis, rider, timedelta(seconds=budget) + riders.RUN_MARGIN):
        item = looked[rider]  # every rider given as an id was looked up with the carrier
    else:
        return
    with riders.collected() as written:
        try:
            _run_item(item, done, rides=True)
        except Exception as exc:
            _retry_later(runtime, _id(rider), exc)
            if isinstance(exc, JobTimeoutException):  # the carrier's time is up
                _go_alone(runtime.redis, [*waiting, *written], done)
                raise
        waiting.extend(written)


def _id(rider: int | Work) -> int:
    return rider.id if isinstance(rider, Work) else rider


def _retry_later(runtime: Runtime, item_id: int, exc: Exception) -> None:
    """Queue a rider that failed as its own job, after the first interval of its retries."""
    row = alone(runtime.engine, select(OutboxItem.job, OutboxItem.args).where(OutboxItem.id == item_id))
    work = Work(item_id, row.job, tuple(row.args))
    delay, rest = riders.remaining(JOBS[work.job].retry)
    log.warning("riding work failed, queued to run again", extra={
        "outbox": item_id, "job": work.job, "in_s": delay.total_seconds(), "error": repr(exc)[:300]})
    with contextlib.suppress(RedisError):  # else the relay queues it once the marker is gone
        riders.forget(runtime.redis, [item_id])
        _enqueue(runtime.redis, work, delay=delay, retry=rest)


def _noted(written: list[Work]) -> bool:
    """Note riders on the running RQ job, so that a retry after a crash runs them too;
    False when Redis refused."""
    job = get_current_job()
    if job is not None:
        job.meta["riders"] = [*job.meta.get("riders", []), *(item.id for item in written)]
        try:
            job.save_meta()
        except RedisError:
            return False
    return True


def _go_alone(redis: Redis, waiting: list[int | Work], done: list[int]) -> None:
    """Queue riders as jobs of their own (the carrier failed, or ran out of time), once
    what is done is marked so."""
    _mark_done(current(), done)
    item_ids = [_id(rider) for rider in waiting]
    if item_ids:
        with current().session() as session:
            rows = session.execute(select(OutboxItem.id, OutboxItem.job, OutboxItem.args)
                                   .where(OutboxItem.id.in_(item_ids), OutboxItem.done_at.is_(None))).all()
        with contextlib.suppress(RedisError):  # else the relay queues them once their markers are gone
            riders.forget(redis, [row.id for row in rows])
            push_each(redis, [Work(row.id, row.job, tuple(row.args)) for row in rows])


@contextlib.contextmanager
def _measured(item: Work, rides: bool) -> Iterator[None]:
    """Observe how long the work waited (`_waited`) and how long it ran (done or failed)."""
    name = JOBS[item.job].queue
    waited = _waited(item, rides)
    if waited is not None:
        metrics.JOB_WAIT.labels(name, item.job).observe(max(waited, 0.0))
    started, outcome = time.perf_counter(), "failed"
    try:
        yield
        outcome = "done"
    finally:
        metrics.JOB_RUN.labels(name, item.job, outcome).observe(time.perf_counter() - started)


def _waited(item: Work, rides: bool) -> float | None:
    """Seconds the work waited before it started: a job of its own, in RQ's queue; work
    taken from a line, since its row was written; none for work that rode with the job
    whose commit wrote it (it waited for nothing)."""
    if not rides:
        return context.waited()
    return (utcnow() - item.written_at).total_seconds() if item.written_at is not None else None


def relay_outbox() -> int:
    """The periodic job: queue outbox work Redis does not hold (never pushed, or lost), and a
    drain for each line whose work has none coming (its drain lost: emptied from RQ's queue,
    say), without waiting for the work's markers to lapse. How many jobs it queued."""
    runtime = current()
    with runtime.session() as session:
        pushed = relay(session, runtime.redis)
    lines = {spec.queue for spec in JOBS.values() if spec.rides}
    pushed += sum(_drain_if_wanted(runtime.redis, name) for name in sorted(lines))
    log.log(logging.INFO if pushed else logging.DEBUG, "outbox relay",
            extra={"queued": pushed, "rq_job": context.job_id()})
    return pushed


def _drain_if_wanted(redis: Redis, name: str) -> bool:
    """Queue a drain of `name`'s line if work waits in it and no drain is queued to take it
    (a drain out of time, the relay); its id names the job that queued it."""
    try:
        wanted = riders.drain_wanted(redis, name)
    except RedisError as exc:
        log.warning("redis unreachable, the line not looked at", extra={"queue": name, "error": str(exc)})
        return False
    return wanted and _enqueue_drain(redis, name, drain_id(name, context.job_id() or uuid4().hex))
