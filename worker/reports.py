"""Jobs that keep the report cards' monthly rollup fresh, so card pages only read it: periodic
roll-ups, and the one a page asks for (`request_refresh`) when the months it shows are stale."""

from __future__ import annotations

import logging

from redis import Redis
from redis.exceptions import RedisError
from rq.exceptions import DuplicateJobError

from models.reports import rollup
from models.reports.rollup import Reading
from models.runtime import current
from worker import context
from worker.queues import MAINTENANCE, queue

log = logging.getLogger(__name__)

FAILED_JOB_KEPT = 300
"""Seconds a failed roll-up job is kept, and with it its id: pages ask again after that."""


def refresh_recent_months() -> list[str]:
    """The periodic job: roll up the last Jalali month and this one again; their keys."""
    runtime = current()
    with runtime.session() as session:
        months = rollup.refresh_recent(session, runtime.settings.response_deadline, runtime.now())
    keys = [m.key for m in months]
    # Every five minutes, whatever happened: routine.
    log.debug("report cards: recent months rolled up", extra={"months": ",".join(keys),
                                                              "rq_job": context.job_id()})
    return keys


def refresh_years() -> list[str]:
    """The nightly job: roll up last Jalali year and this one so far (old months still
    change: late answers, escalations, survey scores); the years' keys."""
    runtime = current()
    with runtime.session() as session:
        years = rollup.refresh_years(session, runtime.settings.response_deadline, runtime.now())
    keys = [y.key for y in years]
    log.info("report cards: years rolled up", extra={"years": ",".join(keys), "rq_job": context.job_id()})
    return keys


def refresh_months(year: int, first: int, last: int) -> str:
    """The job a card page asks for when its months are stale: roll up months `first` to
    `last` of the Jalali `year` now (safe to run twice: it replaces what is there)."""
    runtime = current()
    with runtime.session() as session:
        # Stamped with the real time, not FOAD_FIXED_NOW: pages judge freshness by the real one.
        rollup.refresh(session, year, range(first, last + 1), runtime.settings.response_deadline)
    key = f"{year}-{first:02d}..{last:02d}"
    log.info("report cards: months rolled up on request", extra={"months": key, "rq_job": context.job_id()})
    return key


def request_refresh(redis: Redis, reading: Reading) -> bool:
    """Ask the workers to roll up the stale months of `reading`; False when nothing was asked
    (nothing stale, the same job already waiting or running, or Redis unreachable)."""
    if not reading.stale:
        return False
    year, first, last = reading.period.year, min(reading.stale), max(reading.stale)
    job_id = f"report-rollup-{year}-{first:02d}-{last:02d}"
    try:
        # unique: a flood of page views makes one job; result_ttl=0 deletes it when done, so
        # the id is free again for the next time the months go stale.
        queue(redis, MAINTENANCE).enqueue(refresh_months, year, first, last,
                                          job_id=job_id, unique=True, result_ttl=0,
                                          failure_ttl=FAILED_JOB_KEPT, job_timeout=1800)
    except DuplicateJobError:
        return False
    except RedisError as exc:
        log.warning("report cards: could not ask for a roll-up", extra={"job": job_id, "error": str(exc)})
        return False
    log.info("report cards: roll-up asked for", extra={"job": job_id})
    return True
