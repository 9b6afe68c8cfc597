"""Periodic jobs that keep the report cards' monthly rollup fresh, so card pages only read it."""

from __future__ import annotations

import logging

from console import rollup
from worker import context

log = logging.getLogger(__name__)


def refresh_recent_months() -> list[str]:
    """The periodic job: roll up the last Jalali month and this one again; their keys."""
    runtime = context.current()
    with runtime.session() as session:
        months = rollup.refresh_recent(session, runtime.settings.response_deadline, context.now())
    keys = [m.key for m in months]
    log.info("report cards: recent months rolled up", extra={"months": ",".join(keys),
                                                             "rq_job": context.job_id()})
    return keys


def refresh_years() -> list[str]:
    """The nightly job: roll up last Jalali year and this one so far (old months still
    change: late answers, escalations, survey scores); the years' keys."""
    runtime = context.current()
    with runtime.session() as session:
        years = rollup.refresh_years(session, runtime.settings.response_deadline, context.now())
    keys = [y.key for y in years]
    log.info("report cards: years rolled up", extra={"years": ",".join(keys), "rq_job": context.job_id()})
    return keys


def refresh_months(year: int, first: int, last: int) -> str:
    """The job a card page asks for when its months are stale: roll up months `first` to
    `last` of the Jalali `year` now (safe to run twice: it replaces what is there)."""
    runtime = context.current()
    with runtime.session() as session:
        # Stamped with the real time, not FOAD_FIXED_NOW: pages judge freshness by the real one.
        rollup.refresh(session, year, range(first, last + 1), runtime.settings.response_deadline)
    key = f"{year}-{first:02d}..{last:02d}"
    log.info("report cards: months rolled up on request", extra={"months": key, "rq_job": context.job_id()})
    return key
