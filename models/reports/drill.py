"""The tickets behind a report card's figure: the same complaints the figure counted, as a
condition on tickets for the console's list (a card's "complaints", "answered in time" ...).

The conditions are the figures' own definitions (models.reports.figures), read from the same
`complaint_rows`, so a figure and the list it links to always agree; only "answered within
the deadline" is written in SQL here, once for each database (figures computes it in Python
on SQLite and in SQL on PostgreSQL, `in_time_sql`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import ColumnElement, DateTime, Interval, and_, cast, func, literal, not_, or_, select

from models.agencies import Agency
from models.reports.figures import complaint_rows
from models.reports.periods import Period
from models.tickets import Ticket

NATIONAL = "national"
"""The `province` of the agencies with none: ministries and national organizations."""
DAY_S = 86400.0


def _condition(c, figure: str, in_time: ColumnElement[bool]) -> ColumnElement[bool] | None:
    """The condition of `figure` on complaint rows `c` (None for every complaint)."""
    return {
        "complaints": None,
        "answered": or_(c.acked.is_not(None), c.resolved.is_not(None)),
        "resolved": c.resolved.is_not(None),
        "in_time": in_time,
        "late": not_(in_time),
        "escalated": c.escalations > 0,
        "reopened": c.reopens > 0,
        "surveyed": c.score.is_not(None),
        "satisfied": c.score >= 4,
    }[figure]


FIGURES = ("complaints", "answered", "resolved", "in_time", "late", "escalated", "reopened", "surveyed",
           "satisfied")
"""The figures a list can be drilled to: each card figure's complaints (and the late ones)."""


@dataclass(frozen=True)
class Drill:
    """Which complaints of a period's report cards to list."""

    period: Period
    figure: str = "complaints"
    agency_id: int | None = None
    """The card's agency (the answerable one); None for every agency."""
    province: str | None = None
    """The answerable agencies' province, or NATIONAL; None for every province."""


def in_time_sql(dialect: str, c, deadline: timedelta) -> ColumnElement[bool]:
    """`resolved <= first deadline` (models.reports.figures.first_deadline) on rows `c`:
    PostgreSQL compares timestamps; SQLite, which keeps them as text, Julian days."""
    if dialect == "postgresql":
        due = func.coalesce(cast(c.breach_due, DateTime(timezone=True)), c.due,
                            c.registered + literal(deadline, Interval()))
        return and_(c.resolved.is_not(None), c.resolved <= due)
    due = func.coalesce(func.julianday(c.breach_due), func.julianday(c.due),
                        func.julianday(c.registered) + deadline.total_seconds() / DAY_S)
    return and_(c.resolved.is_not(None), func.julianday(c.resolved) <= due)


def tickets(drill: Drill, dialect: str, deadline: timedelta) -> ColumnElement[bool]:
    """A condition on Ticket: the complaints `drill` names (see the module's docstring)."""
    months = [Period(drill.period.year, "month", m) for m in drill.period.months]
    rows = complaint_rows(months, Ticket.id.label("ticket_id")).subquery()
    c = rows.c
    wanted = select(c.ticket_id)
    figure = _condition(c, drill.figure, in_time_sql(dialect, c, deadline))
    if figure is not None:
        wanted = wanted.where(figure)
    if drill.agency_id is not None:
        wanted = wanted.where(c.agency_id == drill.agency_id)
    if drill.province:
        place = Agency.province_code.is_(None) if drill.province == NATIONAL else Agency.province_code == drill.province
        wanted = wanted.where(c.agency_id.in_(select(Agency.id).where(place)))
    return Ticket.id.in_(wanted)
