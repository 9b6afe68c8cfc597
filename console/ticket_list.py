"""The ticket list's filters, search and order, turned into one query on what the user may see."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, fields, replace
from datetime import datetime, timedelta
from typing import Mapping

from sqlalchemy import Select, case, false, func, select
from sqlalchemy.orm import Session

from console import access
from console.filters import date_problems, day_range, page_number
from models import assignment, reopen, search, tracking, visibility
from models.agencies import Agency
from models.errors import InvalidCode
from models.lifecycle import ALLOWED, OPEN
from models.persian import latin_digits
from models.phones import identify
from models.reports import drill, periods
from models.tickets import Ticket, TicketStatus, Via
from models.users import User

PAGE_SIZE = 50
"""Rows on one page of the list."""
OPEN_ONES = "open"
"""The status filter's value for every open status at once (registered to escalated)."""
COUNT_CAP = 1000
"""A background refresh counts the matching tickets only up to this: an exact COUNT(*) of a
long list from every open tab every few seconds would be a scan each time. A search ranks
the newest this many matches (and one more, to say there are more): words found in half a
million complaints must not rank them all."""
MINE, NOBODY = "me", "none"
"""The assignee filter's values: the user's own tickets, the tickets nobody took."""
SORTS = ("registered", "due", "status")
"""What the list can be ordered by; "-" before one reverses it (newest first is "-registered")."""
STATUS_ORDER = {s: n for n, s in enumerate(ALLOWED)}
"""Statuses in the lifecycle's order, for ordering by status."""


@dataclass(frozen=True)
class Page:
    """One page of the list, and how many tickets match."""

    rows: list[Ticket]
    total: int
    capped: bool
    """True when `total` was counted only up to a cap (there are more)."""


@dataclass(frozen=True)
class TicketFilter:
    """What the list was asked to show; every field optional."""

    status: str = ""
    """A status, OPEN_ONES, or "" for every one (the default: the list shows what came in)."""
    agency: str = ""
    """An agency code: its tickets and those of the agencies below it."""
    province: str = ""
    via: str = ""
    category: str = ""
    assignee: str = ""
    """MINE, NOBODY, or "" for anyone's."""
    overdue: bool = False
    disputed: bool = False
    """Only resolved or closed tickets whose survey answer (this round) proposes reopening."""
    since: str = ""
    """A Jalali date: tickets registered on or after it (Tehran time)."""
    until: str = ""
    """A Jalali date: tickets registered on or before it."""
    q: str = ""
    """A tracking code (whole or its first digits), words to search for, or, for those who see
    numbers, a caller's number."""
    sort: str = ""
    period: str = ""
    """With `card`, `region` or `figure`: the complaints a report card counted in this period."""
    card: str = ""
    """The code of the agency whose report card counted the complaints."""
    region: str = ""
    """The province of the agencies whose cards counted them (drill.NATIONAL for national bodies)."""
    figure: str = ""
    """Which of the card's figures (models.reports.drill.FIGURES)."""
    page: int = 1
    by_number: bool = field(default=True, compare=False)
    """Whether `q` may find tickets by their caller's number: not for those who see numbers
    masked (searching exact numbers one by one would unmask a caller)."""
    problems: tuple[str, ...] = field(default=(), compare=False)

    @classmethod
    def from_args(cls, args: Mapping[str, str], *, by_number: bool = True) -> "TicketFilter":
        """The filter in a request's query string; bad values are dropped and named."""
        status, text = args.get("status", ""), {k: args.get(k, "").strip() for k in _TEXT_ARGS}
        found = cls(status=OPEN_ONES if status == OPEN_ONES else _one_of(status, TicketStatus),
                    via=_one_of(args.get("via", ""), Via), overdue=args.get("overdue") == "1",
                    disputed=args.get("disputed") == "1", page=page_number(args),
                    assignee=text["assignee"] if text["assignee"] in (MINE, NOBODY) else "",
                    sort=text["sort"] if text["sort"].lstrip("-") in SORTS else "",
                    figure=text["figure"] if text["figure"] in drill.FIGURES else "",
                    by_number=by_number,
                    **{k: text[k] for k in _TEXT_ARGS if k not in ("assignee", "sort", "figure")})
        problems = date_problems(found.since, found.until)
        if not by_number and _caller(found.q):
            problems += (NO_NUMBER_SEARCH,)
        return replace(found, problems=problems)

    @property
    def drilled(self) -> bool:
        """True when the list shows the tickets behind a report card's figure."""
        return bool(self.period and (self.card or self.region or self.figure))

    @property
    def words(self) -> tuple[str, ...]:
        """The words searched for: none when `q` is empty, a tracking code or a phone number."""
        return () if not self.q or _lookup(self.q, True) is not None else search.query_words(self.q)

    def query(self, session: Session, user: User, now: datetime, deadline: timedelta) -> Select:
        """The tickets matching the filter that `user` may see (`q` as a code or a number; the
        words of a search are `results`'), in the order asked for."""
        query = access.visible(select(Ticket), session, user)
        query = query.where(*self._conditions(session, user, now, deadline))
        looked_up = _lookup(self.q, self.by_number) if self.q else None
        if looked_up is not None:
            query = query.where(looked_up)
        elif self.q and not self.words:
            query = query.where(false())  # only stop words, or nothing a search can use
        return query.order_by(*self._order())

    def results(self, session: Session, user: User, now: datetime, deadline: timedelta, *,
                cap: int | None = None) -> Page:
        """The page asked for and how many tickets match (with `cap`, counted only past it). A
        search finds the newest COUNT_CAP + 1 tickets whose words match in one run and ranks
        them by relevance, unless another order was asked."""
        query = self.query(session, user, now, deadline)
        if not self.words:
            total = count(session, query, cap)
            rows = session.scalars(query.limit(PAGE_SIZE).offset((self.page - 1) * PAGE_SIZE)).unique().all()
            return Page(list(rows), total, cap is not None and total > cap)
        found = search.matches(session, self.words)
        newest = (query.join(found, found.c.ticket_id == Ticket.id).with_only_columns(Ticket.id, found.c.rank)
                  .order_by(None).order_by(Ticket.id.desc()).limit(COUNT_CAP + 1))
        hits = session.execute(newest).all()
        if self.sort:  # an order of the list's own: the tickets found, in that order
            rows = session.scalars(query.where(Ticket.id.in_([hit.id for hit in hits])).limit(PAGE_SIZE)
                                   .offset((self.page - 1) * PAGE_SIZE)).unique().all()
        else:
            chosen = [hit.id for hit in sorted(hits, key=lambda hit: (-hit.rank, -hit.id))]
            shown = chosen[(self.page - 1) * PAGE_SIZE:self.page * PAGE_SIZE]
            by_id = {t.id: t for t in session.scalars(select(Ticket).where(Ticket.id.in_(shown))).unique()}
            rows = [by_id[i] for i in shown if i in by_id]
        return Page(list(rows), len(hits), len(hits) > COUNT_CAP)

    def _conditions(self, session: Session, user: User, now: datetime, deadline: timedelta) -> list:
        wanted = [Ticket.status.in_(list(OPEN)) if self.status == OPEN_ONES else Ticket.status == self.status
                  ] if self.status else []
        wanted += [column == value for column, value in ((Ticket.via, self.via), (Ticket.province_code, self.province),
                                                         (Ticket.category_code, self.category)) if value]
        if self.agency:
            wanted.append(Ticket.agency_id.in_(_agency_ids(session, self.agency)))
        if self.overdue:
            wanted += [Ticket.status.in_(list(OPEN)), Ticket.due_at < now]
        if self.assignee:
            wanted.append(assignment.held_by(user) if self.assignee == MINE else ~assignment.held_by(None))
        if self.disputed:
            wanted.append(reopen.disputed())
        if self.drilled:
            wanted.append(self._drill(session, deadline))
        return [*wanted, *day_range(Ticket.registered_at, self.since, self.until)]

    def _drill(self, session: Session, deadline: timedelta):
        """The complaints behind a report card's figure (a period that is no period: none)."""
        try:
            period = periods.parse(self.period)
        except periods.PeriodError:
            return false()
        card = session.scalar(select(Agency.id).where(Agency.code == self.card)) if self.card else None
        if self.card and card is None:
            return false()
        chosen = drill.Drill(period, self.figure or "complaints", card, self.region or None)
        return drill.tickets(chosen, session.get_bind().dialect.name, deadline)

    def _order(self) -> list:
        """The order asked for, newest first within it (the list's index serves the default)."""
        key, backwards = self.sort.lstrip("-"), self.sort.startswith("-")
        newest = [Ticket.registered_at.desc(), Ticket.id.desc()]
        if key in ("", "registered"):
            return newest if backwards or not key else [Ticket.registered_at.asc(), Ticket.id.asc()]
        # A deadline matters while the clock runs: answered and closed tickets come last.
        running = case((Ticket.status.in_(list(OPEN)), Ticket.due_at))
        column = running if key == "due" else case(STATUS_ORDER, value=Ticket.status)
        return [(column.desc() if backwards else column.asc()).nulls_last(), *newest]


_TEXT_ARGS = ("agency", "province", "category", "assignee", "since", "until", "q", "sort", "period", "card",
              "region", "figure")
NO_NUMBER_SEARCH = "جستجو با شمارهٔ تماس‌گیرنده ویژهٔ ناظران است؛ با کد رهگیری جستجو کنید."
"""Said to an inspector who typed a caller's number into the search."""
LIST_ARGS = frozenset(f.name for f in fields(TicketFilter) if f.name not in ("problems", "by_number"))
"""The query-string arguments of the list (what a ticket's "back to the list" keeps)."""


def count(session: Session, query: Select, cap: int | None = None) -> int:
    """How many rows `query` has; with `cap`, counting stops past it (answers at most cap + 1)."""
    query = query.order_by(None)
    if cap is not None:
        query = query.limit(cap + 1)
    return session.scalar(select(func.count()).select_from(query.subquery()))


def _one_of(value: str, allowed: type) -> str:
    return value if value in {m.value for m in allowed} else ""


def _agency_ids(session: Session, code: str) -> frozenset[int]:
    agency_id = session.scalar(select(Agency.id).where(Agency.code == code))
    return visibility.subtree(session, agency_id) if agency_id is not None else frozenset()


def _lookup(text: str, by_number: bool):
    """A whole tracking code, the first digits of one, or (`by_number`) a caller's number in
    any form (a number searched without `by_number` finds nothing); None for words."""
    digits = _digits(text)
    try:
        return Ticket.code == tracking.parse(digits)
    except InvalidCode:
        pass
    caller = identify(text).e164
    if caller:
        return Ticket.caller == caller if by_number else false()
    if digits.isdigit():
        return Ticket.code.startswith(digits, autoescape=True)
    return None


def _digits(text: str) -> str:
    return re.sub(r"[\s\-_.]", "", latin_digits(text))


def _caller(text: str) -> str | None:
    """The caller's number `text` searches for (E.164), None for a tracking code or no number."""
    if not text:
        return None
    try:
        tracking.parse(_digits(text))
        return None
    except InvalidCode:
        return identify(text).e164
