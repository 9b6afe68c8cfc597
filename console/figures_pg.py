"""The report-card figures on PostgreSQL: one pass with GROUPING SETS and exact medians.

The same definitions as console.figures (read its docstring); here the database does the
sums and the medians so that a year of a million tickets is one sequential scan.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import Interval, case, func, literal, select, tuple_
from sqlalchemy.orm import Session

from console.figures import Figures, Table, complaints_in, escalations_by_ticket
from console.periods import Period, parts
from models.surveys import SurveyAnswer
from models.tickets import Ticket


def _facts(period: Period, deadline: timedelta):
    """One row per complaint: agency, month, quarter and what the card needs of it."""
    months = [Period(period.year, "month", m) for m in period.months]
    month = case(*[(Ticket.registered_at < m.end, m.number) for m in months[:-1]],
                 else_=months[-1].number) if len(months) > 1 else literal(months[0].number)
    ack, res, reg = Ticket.acknowledged_at, Ticket.resolved_at, Ticket.registered_at
    first = case((ack.is_(None), res), (res.is_(None), ack), (ack < res, ack), else_=res)
    esc = escalations_by_ticket()
    return (select(
        Ticket.agency_id.label("agency_id"), month.label("month"),
        func.extract("epoch", first - reg).label("first_s"),
        func.extract("epoch", res - reg).label("result_s"),
        case((res <= reg + literal(deadline, Interval()), 1), else_=0).label("in_time"),
        case((res.is_not(None), 1), else_=0).label("resolved"),
        func.coalesce(esc.c.n, 0).label("escalations"),
        SurveyAnswer.score.label("score"),
    ).outerjoin(SurveyAnswer, SurveyAnswer.ticket_id == Ticket.id)
     .outerjoin(esc, esc.c.ticket_id == Ticket.id).where(*complaints_in(period)).subquery())


def compute_pg(session: Session, period: Period, deadline: timedelta) -> Table:
    """Figures of every agency for `period` and the quarters and months inside it."""
    f = _facts(period, deadline)
    quarter = ((f.c.month + 2) // 3).label("quarter")
    sets = [tuple_(f.c.agency_id, f.c.month), tuple_(f.c.agency_id, quarter), tuple_(f.c.agency_id)]
    median = lambda col: func.percentile_cont(0.5).within_group(col)  # noqa: E731
    query = select(
        f.c.agency_id, f.c.month, quarter, func.grouping(f.c.month, quarter),
        func.count(), func.sum(f.c.in_time), func.sum(f.c.resolved), func.sum(f.c.escalations),
        median(f.c.first_s), median(f.c.result_s), func.count(f.c.score), func.sum(f.c.score),
        func.count(case((f.c.score >= 4, 1))),
    ).group_by(func.grouping_sets(*sets))
    wanted, table = set(parts(period)), {}
    for agency_id, month, q, grouping, *values in session.execute(query):
        key = (agency_id, _period_of(period, grouping, month, q))
        if key[1] in wanted:  # a month's card also groups "its quarter": not a real quarter
            table[key] = _figures(values)
    return table


def _period_of(period: Period, grouping: int, month: int | None, quarter: int | None) -> Period:
    # grouping(month, quarter): 0b01 = grouped by month, 0b10 = by quarter, 0b11 = neither.
    if grouping == 0b01:
        return Period(period.year, "month", int(month))
    if grouping == 0b10:
        return Period(period.year, "quarter", int(quarter))
    return period


def _figures(values: list) -> Figures:
    complaints, in_time, resolved, esc, first, result, surveys, score_sum, satisfied = values
    return Figures(complaints=complaints, answered_in_time=int(in_time or 0),
                   resolved=int(resolved or 0), escalations=int(esc or 0),
                   first_answer_median_s=None if first is None else float(first),
                   result_median_s=None if result is None else float(result),
                   surveys=surveys, score_sum=int(score_sum or 0), satisfied=satisfied)
