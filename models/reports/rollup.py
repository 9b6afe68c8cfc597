"""The report cards' monthly rollup: month samples kept in the database, rolled up by workers.

Computing a year of a million tickets takes seconds (every complaint is read and its
durations sorted); reading the year's rolled-up months takes a fraction of that. So card
pages only read (`read`): a page that finds months it shows stale asks the workers to roll
them up (worker.reports.request_refresh, handed to the console by the app: one job however
many pages ask) and says how old its figures are.
A month is stale when this month's or the last one's roll-up is older than
FOAD_REPORT_MAX_AGE_MINUTES, an older month's (whose tickets have long been answered or
escalated) older than a day, or it was rolled up with another deadline or never. Months
that have not begun, or that ended before the first ticket, have nothing to roll up.
The workers also roll up ahead of pages: this month and the last every five minutes, last
year and this one so far every night; `foad reports refresh` does any period.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from sqlalchemy import delete, func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from models.base import utcnow
from models.report_months import ReportCategory, ReportMonth, ReportRefresh
from models.reports.figures import ADDITIVE, Figures, Month, Table, category_counts, tabulate
from models.reports.periods import Period, containing
from models.reports.samples import month_samples
from models.tickets import Ticket

log = logging.getLogger(__name__)

OLD_MONTH_MAX_AGE = timedelta(days=1)
"""How old the roll-up of a month before last may get: its tickets rarely change any more."""


@dataclass(frozen=True)
class Reading:
    """What the rollup holds for a period now, and how fresh it is."""

    period: Period
    table: Table
    begun: bool
    """False for a period that has not started: nothing to show yet."""
    months: tuple[int, ...]
    """The months that can have tickets: begun, and not over before the first ticket."""
    missing: tuple[int, ...]
    """Months of `months` never rolled up (with this deadline): the figures are incomplete."""
    stale: tuple[int, ...]
    """Months of `months` due for a new roll-up, the missing ones among them."""
    as_of: datetime | None
    """When the least recently rolled-up month of `months` was rolled up."""


def read(session: Session, period: Period, *, deadline: timedelta, max_age: timedelta,
         now: datetime | None = None) -> Reading:
    """The rollup's figures of `period` and the quarters and months in it, as they are: reading
    never computes (see `request_refresh`)."""
    fresh = freshness(session, period, deadline=deadline, max_age=max_age, now=now)
    rows = session.execute(select(ReportMonth.__table__).where(
        ReportMonth.year == period.year, ReportMonth.month.in_(fresh.months)))
    samples = [Month(r.agency_id, r.month, Figures(**{n: getattr(r, n) for n in ADDITIVE}),
                     r.first_answers, r.results) for r in rows]
    session.commit()  # end the read (on SQLite it holds the write lock)
    return replace(fresh, table=tabulate(period, samples))


def freshness(session: Session, period: Period, *, deadline: timedelta, max_age: timedelta,
              now: datetime | None = None) -> Reading:
    """How fresh the rollup of `period` is, without its figures (an empty table)."""
    now = now or utcnow()
    months = live_months(session, period, now)
    done = _refreshed(session, period.year, months, deadline)
    stale = tuple(m for m in months if m not in done or done[m] < now - _allowed(period.year, m, max_age, now))
    return Reading(period, {}, period.start <= now, months,
                   missing=tuple(m for m in months if m not in done), stale=stale,
                   as_of=min((done[m] for m in months if m in done), default=None))


def live_months(session: Session, period: Period, now: datetime) -> tuple[int, ...]:
    """The months of `period` that have begun by `now` and end after the first ticket."""
    first = session.scalar(select(func.min(Ticket.registered_at)))
    if first is None:
        return ()
    inside = (Period(period.year, "month", m) for m in period.months)
    return tuple(m.number for m in inside if m.start <= now and m.end > first)


def stale_months(session: Session, period: Period, deadline: timedelta, max_age: timedelta,
                 now: datetime) -> list[int]:
    """The months of `period` due for a new roll-up at `now` (see the module's docstring)."""
    return list(read(session, period, deadline=deadline, max_age=max_age, now=now).stale)


def _refreshed(session: Session, year: int, months: tuple[int, ...], deadline: timedelta) -> dict[int, datetime]:
    rows = session.execute(select(ReportRefresh.month, ReportRefresh.refreshed_at).where(
        ReportRefresh.year == year, ReportRefresh.month.in_(months),
        ReportRefresh.deadline_s == int(deadline.total_seconds())))
    return dict(rows.all())


def _allowed(year: int, month: int, max_age: timedelta, now: datetime) -> timedelta:
    return max_age if Period(year, "month", month) in recent_months(now) else OLD_MONTH_MAX_AGE


def recent_months(now: datetime) -> list[Period]:
    """The last Jalali month and this one at `now` (the last may be of the year before)."""
    current = containing(now, "month")
    return [containing(current.start - timedelta(days=1), "month"), current]


def refresh(session: Session, year: int, months: range, deadline: timedelta, *,
            now: datetime | None = None) -> None:
    """Roll up `months` (consecutive) of the Jalali `year` again from the tickets, and commit."""
    samples = month_samples(session, year, months, deadline)
    counts = category_counts(session, [Period(year, "month", m) for m in months])
    for table in (ReportMonth, ReportCategory, ReportRefresh):
        session.execute(delete(table).where(table.year == year, table.month.in_(months)))
    if samples:
        session.execute(insert(ReportMonth), [_row(year, m) for m in samples])
    if counts:
        session.execute(insert(ReportCategory), [
            {"year": year, "month": m, "agency_id": a, "category_code": c, "complaints": n} for a, m, c, n in counts])
    session.execute(insert(ReportRefresh), [
        {"year": year, "month": m, "refreshed_at": now or utcnow(),
         "deadline_s": int(deadline.total_seconds())} for m in months])
    try:
        session.commit()
    except IntegrityError:
        # Another request rolled up the same months at the same moment: theirs will do.
        session.rollback()
        return
    log.debug("report months rolled up", extra={"year": year, "months": f"{months.start}-{months.stop - 1}",
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
