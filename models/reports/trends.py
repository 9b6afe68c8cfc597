"""What a report card shows besides its period's figures, read from the monthly rollup (never
from the tickets): the last twelve months of an agency (its trend), the previous period (to
see who improved), and the complaint categories (the service-quality criteria) it drew.

Only the additive figures are read here (counts and sums: complaints, answered in time,
survey scores), not the months' durations, so a page of every agency's trends stays cheap.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Iterable

from sqlalchemy import select, tuple_
from sqlalchemy.orm import Session

from models.report_months import ReportCategory, ReportMonth
from models.reports import rollup
from models.reports.figures import ADDITIVE, Figures
from models.reports.periods import Period, containing

TREND_MONTHS = 12
"""How many months a card's trend shows, ending with its period's last month."""
ALL = None
"""The key of the whole country (every agency together) in the dictionaries here."""


@dataclass(frozen=True)
class Trend:
    """Each of the trend's months, oldest first, with one agency's (or all) additive figures."""

    months: tuple[Period, ...]
    figures: dict[int | None, list[Figures]]
    """By agency id (ALL: the country), one Figures per month (zeros where none)."""


def trend_months(period: Period, now: datetime) -> list[Period]:
    """The TREND_MONTHS Jalali months up to the period's last (or this month, if sooner)."""
    last = min(Period(period.year, "month", period.months[-1]), containing(now, "month"))
    months = [last]
    while len(months) < TREND_MONTHS:
        months.insert(0, containing(months[0].start - timedelta(days=1), "month"))
    return months


def previous(period: Period) -> Period:
    """The period of the same kind just before `period` (Q1's is the last year's Q4)."""
    if period.kind == "year":
        return Period(period.year - 1, "year", 1)
    count = 12 if period.kind == "month" else 4
    year, number = (period.year - 1, count) if period.number == 1 else (period.year, period.number - 1)
    return Period(year, period.kind, number)


def months_of(period: Period) -> list[Period]:
    """The Jalali months of `period`."""
    return [Period(period.year, "month", m) for m in period.months]


def monthly(session: Session, months: list[Period]) -> dict[tuple[int, Period], Figures]:
    """The rollup's additive figures of every agency in each of `months`."""
    columns = [getattr(ReportMonth, n) for n in ADDITIVE]
    rows = session.execute(select(ReportMonth.agency_id, ReportMonth.year, ReportMonth.month, *columns).where(
        tuple_(ReportMonth.year, ReportMonth.month).in_([(m.year, m.number) for m in months])))
    found = {(r[0], Period(r[1], "month", r[2])): Figures(**dict(zip(ADDITIVE, r[3:]))) for r in rows}
    session.commit()  # end the read (on SQLite it holds the write lock)
    return found


def trend(session: Session, period: Period, now: datetime) -> Trend:
    """Every agency's (and the country's) last twelve months up to `period`."""
    months = trend_months(period, now)
    found = monthly(session, months)
    agencies = {agency_id for agency_id, _m in found}
    figures = {a: [found.get((a, m), Figures()) for m in months] for a in agencies}
    figures[ALL] = [total(found.get((a, m), Figures()) for a in agencies) for m in months]
    return Trend(tuple(months), figures)


def totals(session: Session, period: Period) -> dict[int, Figures]:
    """Each agency's additive figures over `period` (its quarters or months summed)."""
    summed: dict[int, list[Figures]] = defaultdict(list)
    for (agency_id, _month), figures in monthly(session, months_of(period)).items():
        summed[agency_id].append(figures)
    return {agency_id: total(found) for agency_id, found in summed.items()}


def total(figures: Iterable[Figures]) -> Figures:
    """Several agencies' or months' additive figures together (medians are not additive)."""
    figures = list(figures)
    return Figures(**{n: sum(getattr(f, n) for f in figures) for n in ADDITIVE})


def criteria(session: Session, period: Period) -> dict[int | None, list[tuple[str, int]]]:
    """The complaints of `period` by category (criterion), most first: per agency, and ALL."""
    months = months_of(period)
    rows = session.execute(select(ReportCategory.agency_id, ReportCategory.category_code, ReportCategory.complaints)
                           .where(tuple_(ReportCategory.year, ReportCategory.month)
                                  .in_([(m.year, m.number) for m in months])))
    counts: dict[int | None, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for agency_id, category, complaints in rows:
        counts[agency_id][category] += complaints
        counts[ALL][category] += complaints
    session.commit()
    return {a: sorted(found.items(), key=lambda item: (-item[1], item[0])) for a, found in counts.items()}


def stale(session: Session, months: list[Period], *, deadline: timedelta, max_age: timedelta,
          now: datetime | None = None) -> list[rollup.Reading]:
    """What to ask the workers to roll up for `months`: one reading a year, its stale months
    among them (nothing where the rollup is fresh)."""
    asked = []
    for year in sorted({m.year for m in months}):
        wanted = {m.number for m in months if m.year == year}
        fresh = rollup.freshness(session, Period(year, "year", 1), deadline=deadline, max_age=max_age, now=now)
        late = tuple(m for m in fresh.stale if m in wanted)
        if late:
            asked.append(replace(fresh, stale=late))
    session.commit()
    return asked
