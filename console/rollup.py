"""The report cards' monthly rollup: month samples kept in the database, refreshed when stale.

Computing a year of a million tickets takes seconds (every complaint is read and its
durations sorted); reading the year's rolled-up months takes a fraction of that. A card page
refreshes the months it needs that were rolled up more than FOAD_REPORT_MAX_AGE_MINUTES ago
(or with another deadline), so figures are never older than that; `foad reports refresh`
does the same ahead of time, for a cron job or the worker's schedule.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import delete, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from console.figures import ADDITIVE, Figures, Month, Table, month_samples, tabulate
from console.periods import Period
from models.base import utcnow
from models.report_months import ReportMonth, ReportRefresh

log = logging.getLogger(__name__)


def table(session: Session, period: Period, *, deadline: timedelta, max_age: timedelta,
          now: datetime | None = None) -> Table:
    """Figures of `period` and the quarters and months in it, from a fresh enough rollup."""
    stale = stale_months(session, period, deadline, (now or utcnow()) - max_age)
    if stale:
        refresh(session, period.year, range(min(stale), max(stale) + 1), deadline, now=now)
    rows = session.execute(select(ReportMonth.__table__).where(
        ReportMonth.year == period.year, ReportMonth.month.in_(period.months)))
    months = [Month(r.agency_id, r.month, Figures(**{n: getattr(r, n) for n in ADDITIVE}),
                    r.first_answers, r.results) for r in rows]
    session.commit()  # end the read (on SQLite it holds the write lock)
    return tabulate(period, months)


def stale_months(session: Session, period: Period, deadline: timedelta, since: datetime) -> list[int]:
    """The months of `period` not rolled up since `since` with this deadline."""
    fresh = set(session.scalars(select(ReportRefresh.month).where(
        ReportRefresh.year == period.year, ReportRefresh.month.in_(period.months),
        ReportRefresh.refreshed_at >= since,
        ReportRefresh.deadline_s == int(deadline.total_seconds()))))
    return [m for m in period.months if m not in fresh]


def refresh(session: Session, year: int, months: range, deadline: timedelta, *,
            now: datetime | None = None) -> None:
    """Roll up `months` (consecutive) of the Jalali `year` again from the tickets, and commit."""
    samples = month_samples(session, year, months, deadline)
    session.execute(delete(ReportMonth).where(ReportMonth.year == year, ReportMonth.month.in_(months)))
    session.execute(delete(ReportRefresh).where(ReportRefresh.year == year, ReportRefresh.month.in_(months)))
    if samples:
        session.execute(insert(ReportMonth), [_row(year, m) for m in samples])
    session.execute(insert(ReportRefresh), [
        {"year": year, "month": m, "refreshed_at": now or utcnow(),
         "deadline_s": int(deadline.total_seconds())} for m in months])
    try:
        session.commit()
    except IntegrityError:
        # Another request rolled up the same months at the same moment: theirs will do.
        session.rollback()
        return
    log.info("report months rolled up", extra={"year": year, "months": f"{months.start}-{months.stop - 1}",
                                               "rows": len(samples)})


def _row(year: int, m: Month) -> dict[str, object]:
    return {"year": year, "month": m.number, "agency_id": m.agency_id,
            **{n: getattr(m.figures, n) for n in ADDITIVE},
            "first_answers": m.first, "results": m.result}
