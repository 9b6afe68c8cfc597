"""The report cards' monthly rollup: month samples kept in the database, refreshed when stale.

Computing a year of a million tickets takes seconds (every complaint is read and its
durations sorted); reading the year's rolled-up months takes a fraction of that. A card page
refreshes the months it needs that are stale: this month and the last one when rolled up more
than FOAD_REPORT_MAX_AGE_MINUTES ago, older months (whose tickets have long been answered or
escalated) when more than a day ago, and any month rolled up with another deadline.
`foad reports refresh` rolls a period up ahead of time, for a nightly cron job.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import delete, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from console.figures import ADDITIVE, Figures, Month, Table, month_samples, tabulate
from console.periods import Period, containing
from models.base import utcnow
from models.report_months import ReportMonth, ReportRefresh

log = logging.getLogger(__name__)

OLD_MONTH_MAX_AGE = timedelta(days=1)
"""How old the roll-up of a month before last may get: its tickets rarely change any more."""


def table(session: Session, period: Period, *, deadline: timedelta, max_age: timedelta,
          now: datetime | None = None) -> Table:
    """Figures of `period` and the quarters and months in it, from a fresh enough rollup."""
    stale = stale_months(session, period, deadline, max_age, now or utcnow())
    if stale:
        refresh(session, period.year, range(min(stale), max(stale) + 1), deadline, now=now)
    rows = session.execute(select(ReportMonth.__table__).where(
        ReportMonth.year == period.year, ReportMonth.month.in_(period.months)))
    months = [Month(r.agency_id, r.month, Figures(**{n: getattr(r, n) for n in ADDITIVE}),
                    r.first_answers, r.results) for r in rows]
    session.commit()  # end the read (on SQLite it holds the write lock)
    return tabulate(period, months)


def stale_months(session: Session, period: Period, deadline: timedelta, max_age: timedelta,
                 now: datetime) -> list[int]:
    """The months of `period` due for a new roll-up at `now` (see the module's docstring)."""
    current = containing(now, "month")
    recent = {current, containing(current.start - timedelta(days=1), "month")}
    rows = session.execute(select(ReportRefresh.month, ReportRefresh.refreshed_at).where(
        ReportRefresh.year == period.year, ReportRefresh.month.in_(period.months),
        ReportRefresh.deadline_s == int(deadline.total_seconds())))
    done = dict(rows.all())
    stale = []
    for month in period.months:
        allowed = max_age if Period(period.year, "month", month) in recent else OLD_MONTH_MAX_AGE
        if month not in done or done[month] < now - allowed:
            stale.append(month)
    return stale


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
