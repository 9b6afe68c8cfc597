"""Report-card figures per agency and Jalali period: per agency-month samples, then combined.

Definitions (also in README.md, "Report cards"):
- A complaint counts for the agency answerable for it: the agency that had it when its
  deadline first passed (`data["previous_agency"]` of its first "escalated" event), else the
  agency that holds it (where routing or a supervisor's reassignment put it). Escalation
  moves a ticket up a level, not its complaint off the card of the agency that let the
  deadline pass. It counts for the period in which it was registered (Tehran time). Tickets closed as out of scope, duplicate or nuisance are not complaints
  about the agency and are left out, as are unrouted ones.
- "First answer" is the agency's first response: the earlier of `acknowledged_at` (the
  official said they are on it) and `resolved_at` (a result without acknowledgement first).
  Time to first answer and time to result are measured from `registered_at`, when the
  citizen's three hours began.
- "Answered within the deadline" means a result (`resolved_at`) no later than the complaint's
  own first deadline: the `due_at` its first "breach" event names, else its `due_at`, else
  `registered_at` + FOAD_RESPONSE_DEADLINE_MINUTES. So with FOAD_BUSINESS_HOURS the deadline
  counts working hours, as the clock did. Only a result stops the clock, so an
  acknowledgement alone does not count as answered.
- "Resolved" means the ticket has a result (`resolved_at` set), whenever it came.
- Escalations are the ticket events of kind "escalated" on the period's complaints.
- Satisfaction: the survey answers (1-5) of the period's complaints: the mean, and the share
  of answers that are 4 or 5. A reopened complaint counts its standing answer (the latest
  round's).
- Reopened: complaints whose result was disputed and that were reopened (once or more). A
  reopened complaint is measured by its standing result: reopening sets the first one
  aside, so it is resolved again only by a new result (its times measured from
  registration), and it is in time only if no round let its deadline pass (the reopening
  restarts the clock with a deadline of its own: the first deadline is then the first
  breached one, else the current round's).
Medians are the usual ones (the mean of the two middle values for an even count). They do
not add up, so each agency-month keeps its sorted durations, and a quarter's or a year's
median is taken over the months' durations together: exact, not a median of medians.
"""

from __future__ import annotations

import statistics
from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import chain
from typing import Iterable

from sqlalchemy import Select, case, func, literal, select
from sqlalchemy.orm import Session, aliased

from models.agencies import Agency
from models.reports.periods import Period, parts
from models.surveys import SurveyAnswer
from models.tickets import Ticket, TicketEvent, TicketStatus

NOT_COMPLAINTS = (TicketStatus.REJECTED, TicketStatus.DUPLICATE, TicketStatus.NUISANCE)
ESCALATED = TicketStatus.ESCALATED.value
BREACH = "breach"
"""The timeline event of a missed deadline (worker.clock), which names that deadline."""


@dataclass
class Figures:
    """One agency's figures for one period."""

    complaints: int = 0
    answered_in_time: int = 0
    resolved: int = 0
    escalations: int = 0
    first_answer_median_s: float | None = None
    result_median_s: float | None = None
    surveys: int = 0
    score_sum: int = 0
    satisfied: int = 0
    """Survey answers of 4 or 5."""
    reopened: int = 0
    """Complaints reopened once or more (a disputed result)."""

    @property
    def share_in_time(self) -> float | None:
        """Share of complaints with a result within the deadline."""
        return self.answered_in_time / self.complaints if self.complaints else None

    @property
    def share_resolved(self) -> float | None:
        """Share of complaints with a result."""
        return self.resolved / self.complaints if self.complaints else None

    @property
    def satisfaction(self) -> float | None:
        """Mean survey score (1-5)."""
        return self.score_sum / self.surveys if self.surveys else None

    @property
    def share_satisfied(self) -> float | None:
        """Share of survey answers that are 4 or 5."""
        return self.satisfied / self.surveys if self.surveys else None


ADDITIVE = ("complaints", "answered_in_time", "resolved", "escalations", "surveys", "score_sum",
            "satisfied", "reopened")
"""The figures that add up from months to quarters and years."""


@dataclass
class Month:
    """One agency's Jalali month: the additive figures and the sorted durations (seconds)."""

    agency_id: int
    number: int
    figures: Figures = field(default_factory=Figures)
    first: list[float] = field(default_factory=list)
    result: list[float] = field(default_factory=list)


Table = dict[tuple[int, Period], Figures]
"""Figures by (agency id, period)."""


def tabulate(period: Period, months: Iterable[Month]) -> Table:
    """The figures of `period` and of each quarter and month in it, from month samples."""
    by_agency: dict[int, list[Month]] = {}
    for month in months:
        if month.number in period.months:
            by_agency.setdefault(month.agency_id, []).append(month)
    table: Table = {}
    for agency_id, mine in by_agency.items():
        for part in parts(period):
            inside = [m for m in mine if m.number in part.months]
            if inside:
                table[(agency_id, part)] = combine(inside)
    return table


def combine(months: list[Month]) -> Figures:
    """The figures of several months of one agency together."""
    figures = Figures(**{name: sum(getattr(m.figures, name) for m in months) for name in ADDITIVE})
    first = list(chain.from_iterable(m.first for m in months))
    result = list(chain.from_iterable(m.result for m in months))
    figures.first_answer_median_s = statistics.median(first) if first else None
    figures.result_median_s = statistics.median(result) if result else None
    return figures


def complaint_rows(months: list[Period], *columns) -> Select:
    """The complaints registered in `months` (consecutive), one row each: the answerable
    agency's id, its number of escalations, its survey score, its times (registered, acked,
    resolved), the parts of its first deadline (breach_due, due: see `first_deadline`) and
    how often it was reopened, then `columns`."""
    esc, breach = first_events(ESCALATED), first_events(BREACH)
    first, named, breached = aliased(TicketEvent), aliased(Agency), aliased(TicketEvent)
    agency = func.coalesce(named.id, Ticket.agency_id)
    return (
        select(agency.label("agency_id"), func.coalesce(esc.c.n, 0).label("escalations"),
               SurveyAnswer.score.label("score"), Ticket.registered_at.label("registered"),
               Ticket.acknowledged_at.label("acked"), Ticket.resolved_at.label("resolved"),
               breached.data["due_at"].as_string().label("breach_due"), Ticket.due_at.label("due"),
               Ticket.reopens.label("reopens"), *columns)
        .select_from(Ticket)
        .outerjoin(SurveyAnswer, SurveyAnswer.ticket_id == Ticket.id)
        .outerjoin(esc, esc.c.ticket_id == Ticket.id)
        .outerjoin(first, first.id == esc.c.first_id)
        .outerjoin(named, named.code == first.data["previous_agency"].as_string())
        .outerjoin(breach, breach.c.ticket_id == Ticket.id)
        .outerjoin(breached, breached.id == breach.c.first_id)
        .where(Ticket.registered_at >= months[0].start, Ticket.registered_at < months[-1].end,
               agency.is_not(None), Ticket.status.not_in([s.value for s in NOT_COMPLAINTS])))


def month_of(months: list[Period]):
    """The Jalali month number of a complaint registered in `months` (consecutive), in SQL."""
    if len(months) == 1:
        return literal(months[0].number)
    return case(*[(Ticket.registered_at < m.end, m.number) for m in months[:-1]], else_=months[-1].number)


def category_counts(session: Session, months: list[Period]) -> list[tuple[int, int, str, int]]:
    """(agency id, month, category, complaints) of the complaints registered in `months`."""
    c = complaint_rows(months, month_of(months).label("month"), Ticket.category_code.label("category")).subquery()
    query = select(c.c.agency_id, c.c.month, c.c.category, func.count()).group_by(
        c.c.agency_id, c.c.month, c.c.category)
    return [(a, int(m), cat, n) for a, m, cat, n in session.execute(query)]


def first_events(kind: str):
    """A subquery: how many events of `kind` each ticket has, and the id of its first."""
    return (select(TicketEvent.ticket_id, func.count().label("n"), func.min(TicketEvent.id).label("first_id"))
            .where(TicketEvent.kind == kind).group_by(TicketEvent.ticket_id).subquery())


def first_deadline(registered: datetime, breach_due: str | None, due: datetime | None,
                   deadline: timedelta) -> datetime:
    """When a complaint's first deadline was: the one its first breach names (escalation
    starts a new clock and moves `due_at`), else its `due_at` (set by the clock, in working
    hours when FOAD_BUSINESS_HOURS says so), else registration + the deadline."""
    if breach_due:
        return datetime.fromisoformat(breach_due)
    return due or registered + deadline


def month_samples_rows(session: Session, months: list[Period], deadline: timedelta) -> list[Month]:
    """Any database: one row per complaint, summed in Python (fine for small installs)."""
    bounds = [m.start for m in months[1:]]
    found: dict[tuple[int, int], Month] = {}
    for row in session.execute(complaint_rows(months)):
        number = months[bisect_right(bounds, row.registered)].number
        month = found.setdefault((row.agency_id, number), Month(row.agency_id, number))
        _add(month, row, first_deadline(row.registered, row.breach_due, row.due, deadline))
    for month in found.values():
        month.first.sort()
        month.result.sort()
    return list(found.values())


def _add(m: Month, row, due: datetime) -> None:
    f, registered, resolved, score = m.figures, row.registered, row.resolved, row.score
    f.complaints += 1
    f.escalations += row.escalations
    f.reopened += row.reopens > 0
    first = min((t for t in (row.acked, resolved) if t is not None), default=None)
    if first is not None:
        m.first.append((first - registered).total_seconds())
    if resolved is not None:
        f.resolved += 1
        f.answered_in_time += resolved <= due
        m.result.append((resolved - registered).total_seconds())
    if score is not None:
        f.surveys, f.score_sum, f.satisfied = f.surveys + 1, f.score_sum + score, f.satisfied + (score >= 4)
