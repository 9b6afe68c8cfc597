"""The report cards' monthly rollup: month samples kept in the database, refreshed when stale.

Computing a year of a million tickets takes seconds (every complaint is read and its
durations sorted); reading the year's rolled-up months takes a fraction of that. A card page
refreshes the months it needs that are stale: this month and the last one when rolled up more
than FOAD_REPORT_MAX_AGE_MINUTES ago, older months (whose tickets have long been answered or
escalated) when more than a day ago, and any month rolled up with another deadline.
The workers roll up ahead of pages (worker/reports.py): this month and the last every five
minutes, last year and this one so far every night; `foad reports refresh` does any period.
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


def recent_months(now: datetime) -> list[Period]:
    """The last Jalali month and this one at `now` (the last may be of the year before)."""
    current = containing(now, "month")
    return [containing(current.start - timedelta(days=1), "month"), current]


def stale_months(session: Session, period: Period, deadline: timedelta, max_age: timedelta,
                 now: datetime) -> list[int]:
    """The months of `period` due for a new roll-up at `now` (see the module's docstring)."""
    recent = set(recent_months(now))
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


def refresh_recent(session: Session, deadline: timedelta, now: datetime) -> list[Period]:
    """Roll up the last month and this one again (the months whose tickets still move)."""
    months = recent_months(now)
    for year in sorted({m.year for m in months}):
        numbers = [m.number for m in months if m.year == year]
        refresh(session, year, range(min(numbers), max(numbers) + 1), deadline, now=now)
    return months


def refresh_years(session: Session, deadline: timedelta, now: datetime) -> list[Period]:
    """Roll up last Jalali year (its cards are read all through this one) and this year's
    months so far."""
    current = containing(now, "month")
    refresh(session, current.year - 1, range(1, 13), deadline, now=now)
    refresh(session, current.year, range(1, current.number + 1), deadline, now=now)
    return [Period(current.year - 1, "year", 1), Period(current.year, "year", 1)]


def _row(year: int, m: Month) -> dict[str, object]:
    return {"year": year, "month": m.number, "agency_id": m.agency_id,
            **{n: getattr(m.figures, n) for n in ADDITIVE},
            "first_answers": m.first, "results": m.result}
