"""The ticket list's filters and search, turned into one query on what the user may see."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, fields, replace
from datetime import datetime
from typing import Mapping

from sqlalchemy import Select, false, func, select
from sqlalchemy.orm import Session

from console import access
from console.filters import date_problems, day_range, page_number
from models import tracking
from models.agencies import Agency
from models.errors import InvalidCode
from models.lifecycle import OPEN
from models.persian import latin_digits
from models.phones import identify
from models.tickets import Ticket, TicketStatus, Via
from models.users import User

PAGE_SIZE = 50
"""Rows on one page of the list."""
OPEN_ONES = "open"
"""The status filter's value for every open status at once (registered to escalated)."""
COUNT_CAP = 1000
"""A background refresh counts the matching tickets only up to this: an exact COUNT(*) of a
long list from every open tab every few seconds would be a scan each time."""


@dataclass(frozen=True)
class TicketFilter:
    """What the list was asked to show; every field optional."""

    status: str = ""
    """A status, OPEN_ONES, or "" for every one (the default: the list shows what came in)."""
    agency: str = ""
    """An agency code: its tickets and those of the agencies below it."""
    province: str = ""
    via: str = ""
    overdue: bool = False
    since: str = ""
    """A Jalali date: tickets registered on or after it (Tehran time)."""
    until: str = ""
    """A Jalali date: tickets registered on or before it."""
    q: str = ""
    """A tracking code (whole or its first digits) or, for those who see numbers, a caller's."""
    page: int = 1
    by_number: bool = field(default=True, compare=False)
    """Whether `q` may find tickets by their caller's number: not for those who see numbers
    masked (searching exact numbers one by one would unmask a caller)."""
    problems: tuple[str, ...] = field(default=(), compare=False)

    @classmethod
    def from_args(cls, args: Mapping[str, str], *, by_number: bool = True) -> "TicketFilter":
        """The filter in a request's query string; bad values are dropped and named."""
        status = args.get("status", "")
        found = cls(status=OPEN_ONES if status == OPEN_ONES else _one_of(status, TicketStatus),
                    via=_one_of(args.get("via", ""), Via), agency=args.get("agency", "").strip(),
                    province=args.get("province", "").strip(), overdue=args.get("overdue") == "1",
                    since=args.get("since", "").strip(), until=args.get("until", "").strip(),
                    q=args.get("q", "").strip(), page=page_number(args), by_number=by_number)
        problems = date_problems(found.since, found.until)
        if not by_number and _caller(found.q):
            problems += (NO_NUMBER_SEARCH,)
        return replace(found, problems=problems)

    def query(self, session: Session, user: User, now: datetime) -> Select:
        """The tickets matching the filter that `user` may see, newest first."""
        query = access.visible(select(Ticket), session, user)
        if self.status == OPEN_ONES:
            query = query.where(Ticket.status.in_(list(OPEN)))
        elif self.status:
            query = query.where(Ticket.status == self.status)
        if self.via:
            query = query.where(Ticket.via == self.via)
        if self.province:
            query = query.where(Ticket.province_code == self.province)
        if self.agency:
            query = query.where(Ticket.agency_id.in_(_agency_ids(session, self.agency)))
        if self.overdue:
            query = query.where(Ticket.status.in_(list(OPEN)), Ticket.due_at < now)
        query = query.where(*day_range(Ticket.registered_at, self.since, self.until))
        if self.q:
            query = query.where(_search(self.q, self.by_number))
        return query.order_by(Ticket.registered_at.desc(), Ticket.id.desc())


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
    return access.subtree(session, agency_id) if agency_id is not None else frozenset()


def _search(text: str, by_number: bool):
    """A whole tracking code, the first digits of one, or (`by_number`) a caller's number in
    any form; a number searched without `by_number` finds nothing."""
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
    return false()


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
