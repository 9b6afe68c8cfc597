"""Month samples on PostgreSQL: one GROUP BY that sums, and sorts each agency-month's durations.

The same definitions as models.reports.figures (read its docstring); the database does the sums and
the sorting so that a year of a million tickets is one scan, not a million rows to Python.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import Float, case, cast, func, select
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.orm import Session

from models.reports.drill import in_time_sql
from models.reports.figures import Figures, Month, complaint_rows, month_of
from models.reports.periods import Period


def _facts(months: list[Period], deadline: timedelta):
    """One row per complaint: agency, Jalali month and what the card needs of it."""
    c = complaint_rows(months, month_of(months).label("month")).subquery()
    ack, res, reg = c.c.acked, c.c.resolved, c.c.registered
    first = case((ack.is_(None), res), (res.is_(None), ack), (ack < res, ack), else_=res)
    return select(
        c.c.agency_id, c.c.month, c.c.escalations, c.c.score,
        case((c.c.reopens > 0, 1), else_=0).label("reopened"),
        cast(func.extract("epoch", first - reg), Float).label("first_s"),
        cast(func.extract("epoch", res - reg), Float).label("result_s"),
        case((in_time_sql("postgresql", c.c, deadline), 1), else_=0).label("in_time"),
        case((res.is_not(None), 1), else_=0).label("resolved"),
    ).subquery()


def month_samples_pg(session: Session, months: list[Period], deadline: timedelta) -> list[Month]:
    """Every agency's samples for each of `months` (consecutive, of one Jalali year)."""
    f = _facts(months, deadline)
    sorted_ = lambda col: func.array_agg(aggregate_order_by(col, col)).filter(col.is_not(None))  # noqa: E731
    query = select(
        f.c.agency_id, f.c.month, func.count(), func.sum(f.c.in_time), func.sum(f.c.resolved),
        func.sum(f.c.escalations), func.count(f.c.score), func.sum(f.c.score),
        func.count(case((f.c.score >= 4, 1))), func.sum(f.c.reopened), sorted_(f.c.first_s), sorted_(f.c.result_s),
    ).group_by(f.c.agency_id, f.c.month)
    # The plan is a plain scan and sort; compiling it with JIT costs more than it saves.
    session.execute(select(func.set_config("jit", "off", True)))
    return [_month(row) for row in session.execute(query)]


def _month(row) -> Month:
    agency_id, number, complaints, in_time, resolved, esc, surveys, score_sum, satisfied, reopened, first, result = row
    figures = Figures(complaints=complaints, answered_in_time=int(in_time or 0),
                      resolved=int(resolved or 0), escalations=int(esc or 0), surveys=surveys,
                      score_sum=int(score_sum or 0), satisfied=satisfied, reopened=int(reopened or 0))
    return Month(agency_id, int(number), figures, list(first or []), list(result or []))
