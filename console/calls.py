"""The calls list: every call to the lines, with its recordings, whether or not it became a ticket.

A call that opened no ticket (the caller hung up in a menu, asked only for a status, or was
cut off) belongs to no agency, so this list is the supervisors' alone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Mapping

from flask import Blueprint, render_template, request
from sqlalchemy import Select, false, func, select

from console import access
from console.filters import date_problems, day_range, page_number
from console.runtime import db
from models.calls import Call
from models.phones import identify

bp = Blueprint("calls", __name__, url_prefix="/console")

PAGE_SIZE = 50
"""Calls on one page of the list."""
UNIQUEID = re.compile(r"\d+\.\d+")
"""Asterisk's ${UNIQUEID}: the epoch, a dot, a sequence number."""


@dataclass(frozen=True)
class CallFilter:
    """What the calls list was asked to show; every field optional."""

    q: str = ""
    """A caller's number in any form, or Asterisk's uniqueid of the call."""
    without: bool = False
    """Only calls that opened no ticket."""
    since: str = ""
    until: str = ""
    page: int = 1
    problems: tuple[str, ...] = field(default=(), compare=False)

    @classmethod
    def from_args(cls, args: Mapping[str, str]) -> "CallFilter":
        """The filter in a request's query string; bad dates are dropped and named."""
        found = cls(q=args.get("q", "").strip(), without=args.get("without") == "1",
                    since=args.get("since", "").strip(), until=args.get("until", "").strip(),
                    page=page_number(args))
        return replace(found, problems=date_problems(found.since, found.until))

    def query(self) -> Select:
        """The matching calls, newest first."""
        query = select(Call)
        if self.without:
            query = query.where(Call.ticket_id.is_(None))
        if self.q:
            query = query.where(_search(self.q))
        query = query.where(*day_range(Call.started_at, self.since, self.until))
        return query.order_by(Call.started_at.desc(), Call.id.desc())


def _search(text: str):
    """Asterisk's uniqueid ("1795440000.77"), else a caller's number in any form."""
    if UNIQUEID.fullmatch(text):
        return Call.uniqueid == text
    caller = identify(text).e164
    return Call.caller == caller if caller else false()


@bp.get("/calls")
@access.roles_required(access.SUPERVISOR)
def index():
    """Calls with their recordings, newest first, filtered by number, date and ticket."""
    session = db()
    chosen = CallFilter.from_args(request.args)
    query = chosen.query()
    total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    rows = session.scalars(query.limit(PAGE_SIZE).offset((chosen.page - 1) * PAGE_SIZE)).all()
    return render_template("calls.html", rows=rows, total=total, f=chosen, page_size=PAGE_SIZE)
