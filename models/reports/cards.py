"""Report cards: each agency's figures for a period, ranked when the comparison is fair."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.agencies import Agency
from models.reports.figures import Figures, Table
from models.reports.periods import Period, parts

SHOWN_FIRST = ("year", "quarter", "month")
"""On an agency's page a period comes before those inside it."""
TOO_FEW = "too_few"
"""Not ranked: fewer complaints in the period than FOAD_REPORT_MIN_COMPLAINTS (none, say)."""
JOINED_LATE = "joined_late"
"""Not ranked: the agency joined 128 after the period began (a partial period)."""

CSV_COLUMNS = ("period", "agency", "agency_name_fa", "agency_name_en", "level", "rank", "unranked",
               "complaints", "answered_in_time", "share_in_time", "first_answer_median_min",
               "result_median_min", "resolved", "share_resolved", "escalations", "surveys",
               "satisfaction_mean", "share_satisfied", "reopened")
"""`unranked` says why a card has no rank: too_few or joined_late (empty when ranked);
`reopened` counts the complaints whose result was disputed and reopened."""


@dataclass(frozen=True)
class Card:
    """One agency's card for one period."""

    agency: Agency
    period: Period
    figures: Figures
    rank: int | None
    unranked: str | None
    """Why it has no rank (TOO_FEW or JOINED_LATE), or None when ranked."""


def build(session: Session, period: Period, table: Table, minimum: int) -> list[Card]:
    """The card of every agency on the line during `period` (none of its complaints: zeros),
    and of any other with complaints in it, from the figures in `table`; ranked ones first."""
    return rank(period, table, _agencies(session), minimum)


def build_all(session: Session, period: Period, table: Table, minimum: int,
              months: tuple[int, ...]) -> dict[Period, list[Card]]:
    """The cards of `period` and of every quarter and month inside it that has any of `months`
    (those that can have tickets), from one table."""
    agencies = _agencies(session)
    shown = [p for p in parts(period) if set(p.months) & set(months)]
    # The year, then each quarter followed by its months.
    shown.sort(key=lambda p: (p.months[0], SHOWN_FIRST.index(p.kind)))
    return {p: rank(p, table, agencies, minimum) for p in shown}


def rank(period: Period, table: Table, agencies: dict[int, Agency], minimum: int) -> list[Card]:
    """The cards of `period` in `table` and of the agencies without complaints in it that were
    on the line, ranked ones first, best first, then the most complaints."""
    ids = {aid for aid, p in table if p == period}
    ids |= {aid for aid, a in agencies.items() if period.ended_after(a.joined_on)}
    cards = [_card(agencies[aid], period, table.get((aid, period), Figures()), minimum) for aid in ids]
    ranked = sorted((c for c in cards if c.unranked is None), key=_merit)
    order = {id(c): n for n, c in enumerate(ranked, start=1)}
    cards = [Card(c.agency, c.period, c.figures, order.get(id(c)), c.unranked) for c in cards]
    return sorted(cards, key=lambda c: (c.rank is None, c.rank or 0, -c.figures.complaints, c.agency.code))


def _agencies(session: Session) -> dict[int, Agency]:
    agencies = {a.id: a for a in session.scalars(select(Agency)).unique()}
    session.commit()  # end the read (on SQLite it holds the write lock)
    return agencies


def _card(agency: Agency, period: Period, figures: Figures, minimum: int) -> Card:
    if not period.started_on_or_after(agency.joined_on):
        return Card(agency, period, figures, None, JOINED_LATE)
    if figures.complaints < minimum:
        return Card(agency, period, figures, None, TOO_FEW)
    return Card(agency, period, figures, None, None)


def _merit(card: Card) -> tuple[float, float, float, str]:
    """Better first: more answered in time, quicker first answer, happier citizens."""
    f = card.figures
    first = f.first_answer_median_s if f.first_answer_median_s is not None else float("inf")
    return (-(f.share_in_time or 0.0), first, -(f.satisfaction or 0.0), card.agency.code)


def to_csv(cards: list[Card]) -> str:
    """The cards as CSV (figures only: no names of people, no numbers, no complaint texts)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for c in cards:
        f = c.figures
        writer.writerow([c.period.key, c.agency.code, c.agency.name_fa, c.agency.name_en,
                         c.agency.level, c.rank or "", c.unranked or "", f.complaints, f.answered_in_time,
                         _round(f.share_in_time), _minutes(f.first_answer_median_s),
                         _minutes(f.result_median_s), f.resolved, _round(f.share_resolved),
                         f.escalations, f.surveys, _round(f.satisfaction), _round(f.share_satisfied),
                         f.reopened])
    return out.getvalue()


def _round(value: float | None) -> str:
    return "" if value is None else f"{value:.4f}"


def _minutes(seconds: float | None) -> str:
    return "" if seconds is None else f"{seconds / 60:.1f}"
